#!/bin/sh
# How runs end, with baton run following: stopped while followed, a shim
# killed while its agent lives on, and an agent whose child outlives it.
# Nothing is stored twice or lost, and no run is left in the wrong state.
. "$(dirname "$0")/lib.sh"

new_repo
run init
teardown() {
	[ -n "${follower:-}" ] && kill "$follower" 2>/dev/null && wait "$follower"
	"$BATON" -C "$REPO" tmux kill-server >/dev/null 2>&1
	cleanup
}
trap teardown EXIT

field() {	# field RUN FIELD
	"$BATON" runs --json | jq -r ".[] | select(.id == $1) | .$2"
}
wait_field() {	# wait_field RUN FIELD VALUE DESCRIPTION
	i=0
	while [ "$(field "$1" "$2")" != "$3" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	same "$4" "$(field "$1" "$2")" "$3"
}
texts() {
	sqlite3 .baton/baton.db "SELECT group_concat(json_extract(data, '$.text'), ' ') FROM (SELECT data FROM events WHERE run_id = $1 AND kind = 'text' ORDER BY offset, seq)"
}

"$BATON" run 2>"$TEST_TMP/follower.err" &
follower=$!
sleep 0.5

# 1. Stopped while baton run follows: stopped once, and baton run goes on.
run add "stop me"
run start 1 --format claude -- sh -c 'echo "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s-1\",\"model\":\"claude-sonnet-4-5\"}"; exec sleep 1000'
wait_field 1 session s-1 "the session was seen"
run stop 1
ok "stop"
wait_field 1 state stopped "stopped while followed"
same "its end stored once" "$(sqlite3 .baton/baton.db "SELECT count(*) FROM events WHERE run_id = 1 AND kind = 'turn_end'")" "1"
run add "after the stop"
run start 2 -- sh -c 'echo still-followed; sleep 1000'
i=0
while [ "$(texts 2)" != "still-followed" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
same "runs started later are still stored" "$(texts 2)" "still-followed"
run stop 2

# 2. The shim dies, its agent lives on: the run stays running (baton stop
# can still end it) and every line is stored, none cut in half.
run add "orphan"
run start 3 -- sh -c 'i=0; while [ $i -lt 30 ]; do printf "part-a-$i "; sleep 0.05; echo "part-b-$i"; i=$((i + 1)); done; sleep 1000'
sleep 0.5
shim=$(pgrep -f "baton agent 3$" | head -n 1)
[ -n "$shim" ] && kill -9 "$shim"
sleep 2
run run --once
same "an agent that outlived its shim is still running" "$(field 3 state)" "running"
run stop 3
ok "stop the orphaned agent"
wait_field 3 state stopped "then it is stopped"
cut=$(sqlite3 .baton/baton.db "SELECT count(*) FROM events WHERE run_id = 3 AND kind = 'text' AND json_extract(data, '$.text') NOT LIKE 'part-a-% part-b-%'")
same "no line stored in half" "$cut" "0"
same "every line stored" "$(sqlite3 .baton/baton.db "SELECT count(*) FROM events WHERE run_id = 3 AND kind = 'text'")" \
    "$(grep -c part-b .baton/runs/3/stream.jsonl)"

# 3. The agent exits while a child it started still writes: the child's
# lines are stored before the run is closed.
run add "background child"
run start 4 -- sh -c '(sleep 0.5; echo from-child-1; sleep 0.3; echo from-child-2) & echo from-parent'
wait_field 4 state exited "the run ended"
same "the child's lines are stored too" "$(texts 4)" "from-parent from-child-1 from-child-2"

# 4. A run recorded by a baton that died before its tmux window existed:
# given up once its starter is gone (not after a minute), while one whose
# starter lives on is still waited for.
run add "never started"
now=$(date +%s)
dead=$(sh -c 'echo $$')
for starter in "$dead" "$$"; do
	id=$(sqlite3 .baton/baton.db "INSERT INTO runs (task_id, state, started_at, log_done)
	    VALUES (5, 'starting', $((now - 10)), 0); SELECT last_insert_rowid();")
	mkdir -p ".baton/runs/$id"
	echo "$starter" >".baton/runs/$id/starter"
	eval "run_$starter=$id"
done
kill -TERM "$follower"
wait "$follower"
follower=
run run --once
ok "run --once"
same "a run whose starter died is interrupted" "$(field "$(eval echo \$run_$dead)" state)" "interrupted"
contains "it says why" "$(field "$(eval echo \$run_$dead)" outcome)" "never got a tmux window"
same "a run whose starter lives is waited for" "$(field "$(eval echo \$run_$$)" state)" "starting"
sqlite3 .baton/baton.db "UPDATE runs SET state = 'stopped', log_done = 1 WHERE id = $(eval echo \$run_$$)"
"$BATON" run 2>"$TEST_TMP/follower.err" &
follower=$!
sleep 0.5

kill -TERM "$follower"
wait "$follower"
same "baton run had nothing to complain about" "$(grep -v '^baton: following' "$TEST_TMP/follower.err")" ""
follower=

finish
