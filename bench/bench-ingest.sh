#!/bin/sh
# Ingestion benchmark: how many stream lines per second baton stores from
# 20 concurrent runs, next to how fast `wc -l` reads the same bytes, and how
# much CPU `baton run` uses while 20 runs sit idle.
#
#   bench/bench-ingest.sh [BATON] [LINES_PER_RUN] [IDLE_SECONDS]
#
# Targets: at least 50 000 lines/s stored from 20 runs; no more than 0.1 %
# of a core while 20 runs are idle. Everything happens under a temporary
# folder and on baton's private tmux server, which is killed at the end.

set -eu
BATON=$(realpath "${1:-./baton}")
LINES=${2:-50000}
IDLE=${3:-30}
RUNS=20

tmp=$(mktemp -d "${TMPDIR:-/tmp}/baton-bench-ingest.XXXXXX")
cleanup() {
	"$BATON" -C "$tmp/repo" tmux kill-server >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/home/state"
mkdir -p "$HOME"

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

# A Claude Code stream-json log: assistant messages with text and usage
# (one call per message), tool results from the user side, as in a real run.
awk -v n="$LINES" 'BEGIN {
	for (i = 0; i < n; i++) {
		if (i % 2 == 0)
			printf "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_%08d\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\",\"text\":\"Step %d: reading the parser and its tests before changing anything.\"}],\"usage\":{\"input_tokens\":%d,\"cache_creation_input_tokens\":120,\"cache_read_input_tokens\":%d,\"output_tokens\":%d}},\"parent_tool_use_id\":null,\"session_id\":\"5b0d3c1e-7a52-4d8e-9f6a-2c4b8e1d0a77\"}\n", i, i, 3 + i % 7, 14000 + i, 40 + i % 90
		else
			printf "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_%08d\",\"content\":\"src/parse.c:120: int parse_date(const char *s, struct tm *tm)\",\"is_error\":false}]},\"parent_tool_use_id\":null,\"session_id\":\"5b0d3c1e-7a52-4d8e-9f6a-2c4b8e1d0a77\"}\n", i
	}
}' >"$tmp/stream.jsonl"
bytes=$(stat -c %s "$tmp/stream.jsonl")

mkdir "$tmp/repo"
cd "$tmp/repo"
git init -q
"$BATON" init >/dev/null
i=1
while [ $i -le $RUNS ]; do
	"$BATON" add "stream $i" >/dev/null
	"$BATON" start $i --format claude -- cat "$tmp/stream.jsonl" >/dev/null
	i=$((i + 1))
done
i=1
while [ $i -le $RUNS ]; do
	while [ ! -f .baton/runs/$i/exit ]; do sleep 0.05; done
	i=$((i + 1))
done
total=$((LINES * RUNS))
mb=$(echo "$bytes * $RUNS / 1048576" | bc -l)

# Baseline: reading the same bytes.
t0=$(now)
cat .baton/runs/*/stream.jsonl | wc -l >/dev/null
t1=$(now)
wc_s=$(elapsed "$t0" "$t1")

# baton: parse and store every line of the 20 logs, then check the count.
t0=$(now)
"$BATON" run --once
t1=$(now)
baton_s=$(elapsed "$t0" "$t1")
stored=$(sqlite3 .baton/baton.db "SELECT sum(log_offset) FROM runs")
calls=$(sqlite3 .baton/baton.db "SELECT count(*) FROM calls")
[ "$stored" -eq $((bytes * RUNS)) ] || { echo "stored $stored of $((bytes * RUNS)) bytes"; exit 1; }
[ "$calls" -eq $((LINES / 2 * RUNS)) ] || { echo "$calls calls, expected $((LINES / 2 * RUNS))"; exit 1; }

printf 'ingest: %d runs x %d lines = %d lines, %.1f MB of Claude stream-json\n' \
    $RUNS "$LINES" $total "$mb"
printf '  wc -l:        %7.3f s  %10.0f lines/s  %7.1f MB/s\n' "$wc_s" \
    "$(echo "$total / $wc_s" | bc -l)" "$(echo "$mb / $wc_s" | bc -l)"
printf '  baton run:    %7.3f s  %10.0f lines/s  %7.1f MB/s  (%d calls, target >= 50000 lines/s)\n' \
    "$baton_s" "$(echo "$total / $baton_s" | bc -l)" "$(echo "$mb / $baton_s" | bc -l)" "$calls"

# Live: baton run already following when 20 more runs stream the same log
# at once; the clock stops when every line is stored.
before=$(sqlite3 .baton/baton.db "SELECT count(*) FROM calls")
"$BATON" run 2>/dev/null &
pid=$!
sleep 1
t0=$(now)
i=1
while [ $i -le $RUNS ]; do
	"$BATON" add "live $i" >/dev/null
	"$BATON" start $((RUNS + i)) --format claude -- cat "$tmp/stream.jsonl" >/dev/null
	i=$((i + 1))
done
want=$((before + LINES / 2 * RUNS))
while [ "$(sqlite3 .baton/baton.db "SELECT count(*) FROM calls")" -lt "$want" ] ||
    [ "$(sqlite3 .baton/baton.db "SELECT count(*) FROM runs WHERE log_done = 0")" -gt 0 ]; do
	sleep 0.05
done
t1=$(now)
kill -TERM $pid
wait $pid || true
live_s=$(elapsed "$t0" "$t1")
printf '  live:         %7.3f s  %10.0f lines/s  %7.1f MB/s  (20 runs streaming while baton run follows, starts included)\n' \
    "$live_s" "$(echo "$total / $live_s" | bc -l)" "$(echo "$mb / $live_s" | bc -l)"

# Idle: 20 quiet agents, baton run following them, CPU time over IDLE s.
i=1
while [ $i -le $RUNS ]; do
	"$BATON" add "quiet $i" >/dev/null
	"$BATON" start $((2 * RUNS + i)) -- sleep 100000 >/dev/null
	i=$((i + 1))
done
"$BATON" run 2>/dev/null &
pid=$!
sleep 2
ticks() { awk '{ print $14 + $15 }' /proc/$1/stat; }
hz=$(getconf CLK_TCK)
c0=$(ticks $pid)
sleep "$IDLE"
c1=$(ticks $pid)
kill -TERM $pid
wait $pid || true
# Baseline in the same run: a process that only sleeps.
sleep "$IDLE" &
spid=$!
s0=$(ticks $spid)
wait $spid 2>/dev/null || true
printf 'idle: %d quiet runs for %d s\n' $RUNS "$IDLE"
printf '  sleep:        %6.3f %% of a core\n' 0
printf '  baton run:    %6.3f %% of a core  (%d ticks of 1/%d s, target <= 0.1 %%)\n' \
    "$(echo "($c1 - $c0) * 100 / $hz / $IDLE" | bc -l)" $((c1 - c0)) "$hz"
: "$s0"
