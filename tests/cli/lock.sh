#!/bin/sh
# The build lock: commands from the repository and from task worktrees take
# turns, the command's exit status passes through, --status names the
# holder, and stale or dead locks are broken with a message.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "jq is needed"; exit 1; }
new_repo
run init

LEFT=
teardown() {
	for p in $LEFT; do
		kill "$p" 2>/dev/null
	done
	cleanup
}
trap teardown EXIT

holder_field() {	# holder_field NAME: a line of the holder file
	sed -n "s/^$1 //p" .baton/build.holder
}

run lock -- true
ok "lock runs a command"
run lock
refused "lock without a command" "give the command"
run lock --wait x -- true
refused "bad --wait" "--wait takes whole seconds"
run lock --status
same "free at rest" "$OUT" "free"

# 1. Three holders at once, one of them from a task's worktree: the
# sections they log never overlap.
run add "builder"
run worktree add 1
wt=$("$BATON" show 1 --json | jq -r .worktree)
log="$TEST_TMP/sections"
section='echo "start $1" >>"$2"; sleep 1; echo "end $1" >>"$2"'
"$BATON" lock -- sh -c "$section" sh A "$log" 2>/dev/null &
"$BATON" lock -- sh -c "$section" sh B "$log" 2>/dev/null &
(cd "$wt" && "$BATON" lock -- sh -c "$section" sh C "$log" 2>/dev/null) &
wait
same "six lines" "$(wc -l <"$log")" "6"
bad=$(awk '
	/^start/ { if (open != "") print "overlap: " open " and " $2; open = $2 }
	/^end/ { if (open != $2) print "bad end: " $2; open = "" }
' "$log")
same "sections never overlap" "$bad" ""
same "all three ran" "$(sed -n 's/^start //p' "$log" | sort | tr -d '\n')" "ABC"
[ ! -e "$wt/.baton" ] && pass || fail "the worktree got its own .baton/"

# 2. Exit status passes through.
run lock -- sh -c 'exit 7'
same "exit 7 passes through" "$RC" "7"
run lock -- sh -c 'kill -TERM $$'
same "a signal is 128 + its number" "$RC" "143"
run lock -- /nonexistent/cmd
same "a missing command is 127" "$RC" "127"
contains "and says so" "$ERR" "cannot run /nonexistent/cmd"
run lock -- sh -c 'echo "$1"' sh '$(touch should-not-exist); `touch x`'
same "arguments reach the command untouched" "$OUT" \
    '$(touch should-not-exist); `touch x`'
[ ! -e should-not-exist ] && pass || fail "an argument was run by a shell"

# 3. --status names the holder, its run and its command; --wait gives up.
BATON_RUN=42 "$BATON" lock -- sleep 3 &
wait_for "the holder records its command" sh -c \
    'grep -q "^child [1-9]" .baton/build.holder'
run lock --status
contains "status: held" "$OUT" "held by pid $(holder_field pid)"
contains "status: run" "$OUT" "run 42"
contains "status: command" "$OUT" "sleep 3"
(cd "$wt" && "$BATON" lock --status) | grep -q "run 42" && pass ||
    fail "status from a worktree"
run lock --wait 0 -- true
refused "--wait 0 while held" "the build lock is held by pid"
run lock --wait 10 -- true
ok "--wait long enough gets it"
contains "says it waited" "$ERR" "waiting for the build lock, held by pid"
wait
run lock --status
same "free after" "$OUT" "free"
[ ! -e .baton/build.holder ] && pass || fail "holder file left behind"

# 4. A holder file left by a holder that died: stale, replaced.
sh -c 'exit 0' &
dead=$!
wait $dead
printf 'pid %s\nchild 0\nrun 7\nstarted 1\ncommand make -j9\n' "$dead" \
    >.baton/build.holder
run lock --status
contains "status: stale record" "$OUT" "free; a stale record names pid $dead"
run lock -- true
ok "lock over a stale record"
contains "says it broke it" "$ERR" \
    "broke a stale build lock: its holder is gone (pid $dead, run 7"
[ ! -e .baton/build.holder ] && pass || fail "stale holder file left"

# 5. The holder is killed while its command runs: the command still holds
# the lock. When the command ends too, the record is stale.
"$BATON" lock -- sleep 30 &
holder=$!
wait_for "the holder records its command" sh -c \
    'grep -q "^child [1-9]" .baton/build.holder'
child=$(holder_field child)
LEFT="$child"
kill -KILL "$holder"
wait $holder 2>/dev/null
run lock --wait 1 -- true
refused "a killed holder's command still holds it" \
    "the build lock is held by pid $holder"
kill "$child"
LEFT=
wait_for "the command ends" sh -c "! kill -0 $child"
run lock -- true
ok "lock after holder and command are gone"
contains "says the record was stale" "$ERR" "broke a stale build lock"

# 6. A process the holder never recorded (a daemon its command left) keeps
# the lock: it is broken.
run lock -- sh -c 'sleep 30 >/dev/null 2>&1 & echo $! >"$1"' sh \
    "$TEST_TMP/daemon"
ok "a command that leaves a daemon"
daemon=$(cat "$TEST_TMP/daemon")
LEFT="$daemon"
run lock --status
contains "status: held by nobody recorded" "$OUT" \
    "held by a process baton did not record"
run lock --wait 5 -- sh -c 'echo got it'
ok "lock breaks a lock nobody recorded"
same "and runs the command" "$OUT" "got it"
contains "says it broke it" "$ERR" \
    "broke the build lock: it was held, but no holder is recorded"
run lock --status
same "free after breaking" "$OUT" "free"

# 7. Outside a set-up repository.
new_repo bare-of-baton
run lock -- true
refused "needs baton init" "run 'baton init' first"

finish
