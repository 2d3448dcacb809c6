#!/bin/sh
# Exactly-once ingestion: baton run follows logs as they grow; killed with
# SIGKILL at random moments while several runs stream and started again,
# it stores every line once, in order, with nothing lost or doubled.
. "$(dirname "$0")/lib.sh"

new_repo
run init
teardown() {
	[ -n "${follower:-}" ] && kill -9 "$follower" 2>/dev/null
	"$BATON" -C "$REPO" tmux kill-server >/dev/null 2>&1
	cleanup
}
trap teardown EXIT

# Text runs: each log line becomes one "text" event holding the line.
events_of() {
	sqlite3 .baton/baton.db "SELECT count(*) FROM events WHERE run_id = $1 AND kind = 'text'"
}

# 1. Live following: lines show up well before the slow timer would fire,
# and SIGTERM stops baton run while the agent keeps running.
run add "live"
"$BATON" run 2>"$TEST_TMP/follower.err" &
follower=$!
sleep 0.5
run start 1 -- sh -c 'echo one; sleep 0.5; echo two; sleep 1000'
i=0
while [ "$(events_of 1)" != 2 ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
same "followed both lines within 3 s" "$(events_of 1)" "2"
# What baton start wrote after baton run first read the run stays written.
same "the run is still running in its window" \
    "$("$BATON" runs --json | jq -r '.[0] | [.state, .window] | @tsv')" "running	@0"
run run --once
refused "a second baton run is refused" "another baton is already running"
kill -TERM "$follower"
wait "$follower"
same "baton run exits cleanly on SIGTERM" "$?" "0"
follower=
[ ! -f .baton/runs/1/exit ] && pass || fail "the agent stopped with baton run"
run stop 1

# 2. Four runs stream 6000 lines each, some lines written in two pieces,
# while baton run is killed with SIGKILL again and again.
for t in 2 3 4 5; do
	run add "stream $t"
	run start $t -- awk -v t=$t 'BEGIN {
		for (i = 0; i < 6000; i++) {
			printf "{\"task\":%d,\"n\":%d,", t, i
			if (i % 7 == 0) fflush()
			printf "\"pad\":\"%s\"}\n", "0123456789abcdef"
			if (i % 40 == 0) { fflush(); system("sleep 0.02") }
		}
	}'
done
kills=0
deadline=$(($(date +%s) + 90))
while :; do
	all=1
	for r in 2 3 4 5; do [ -f .baton/runs/$r/exit ] || all=0; done
	[ $all -eq 1 ] && break
	[ "$(date +%s)" -lt "$deadline" ] || { fail "runs did not finish"; break; }
	"$BATON" run 2>/dev/null &
	follower=$!
	ms=$(( $(od -An -N2 -tu2 /dev/urandom) % 300 + 20 ))
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$follower" 2>/dev/null
	wait "$follower" 2>/dev/null
	follower=
	kills=$((kills + 1))
done
[ $kills -ge 8 ] && pass || fail "only $kills kills: the test proved little"
run run --once
ok "catch up after the last kill"

for r in 2 3 4 5; do
	log=.baton/runs/$r/stream.jsonl
	same "run $r: every line once" "$(events_of $r)" "$(wc -l <"$log")"
	sqlite3 .baton/baton.db "SELECT json_extract(data, '$.text') FROM events WHERE run_id = $r AND kind = 'text' ORDER BY offset, seq" \
	    >"$TEST_TMP/stored.$r"
	if cmp -s "$TEST_TMP/stored.$r" "$log"; then
		pass
	else
		fail "run $r: stored lines differ from the log"
	fi
	same "run $r: offsets point at the lines" \
	    "$(sqlite3 .baton/baton.db "SELECT count(*) FROM events e WHERE run_id = $r AND kind = 'text' AND offset + length(CAST(json_extract(data, '$.text') AS BLOB)) + 1 NOT IN (SELECT offset FROM events WHERE run_id = $r AND kind = 'text') AND offset <> (SELECT max(offset) FROM events WHERE run_id = $r AND kind = 'text')")" "0"
	same "run $r: log all stored" \
	    "$("$BATON" runs --json | jq -r ".[] | select(.id == $r) | [.state, .exit_status, .log_offset] | @tsv")" \
	    "exited	0	$(stat -c %s "$log")"
done
echo "ingest: $kills SIGKILLs while streaming"

# 3. With baton run following, tmux tells it at once when a window is
# killed and when the server dies: the runs are marked interrupted long
# before the slow fallback check.
state_of() {
	"$BATON" runs --json | jq -r ".[] | select(.id == $1) | .state"
}
wait_state() {	# wait_state RUN STATE DESCRIPTION
	i=0
	while [ "$(state_of "$1")" != "$2" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	same "$3" "$(state_of "$1")" "$2"
}
run add "watched a"
run add "watched b"
run start 6 -- sleep 1000
run start 7 -- sleep 1000
"$BATON" -v run 2>"$TEST_TMP/follower.err" &
follower=$!
sleep 1
"$BATON" tmux kill-window -t "$("$BATON" runs --json | jq -r '.[] | select(.id == 6) | .window')"
wait_state 6 interrupted "a killed window is noticed within 5 s"
"$BATON" tmux kill-server
wait_state 7 interrupted "a killed server is noticed within 5 s"
kill -TERM "$follower"
wait "$follower"
follower=

finish
