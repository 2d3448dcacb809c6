#!/bin/bash
# UI figures on a large database, against the real binary in a private tmux:
#   - time to first frame with 10 000 tasks and 1 000 000 events
#     (target 30 ms),
#   - idle CPU over 30 s with 20 quiet runs on screen (target 0.1 % of a
#     core),
#   - peak RSS with 50 runs on screen (target 8 MB).
# Build with optimisation (a plain ./configure) for figures worth quoting.
# Usage: BATON=./baton bench/bench-ui.sh [idle-seconds]
set -u
BATON=${BATON:-./baton}
case $BATON in /*) ;; *) BATON=$PWD/$BATON ;; esac
IDLE=${1:-30}
export LC_ALL=C.UTF-8
unset TMUX
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/baton-bench.XXXXXX")
SOCK="baton-bench-$$"
export XDG_STATE_HOME="$ROOT/state" XDG_CONFIG_HOME="$ROOT/config"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$ROOT"' EXIT

REPO=$ROOT/repo
mkdir -p "$REPO" && git -C "$REPO" init -q && (cd "$REPO" && "$BATON" init >/dev/null)
(cd "$REPO" && "$BATON" sprint new big >/dev/null)
DB=$REPO/.baton/baton.db
now=$(date +%s)

echo "building: 10000 tasks, 1000 runs, 100000 calls, 1000000 events..."
sqlite3 "$DB" >/dev/null <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO tasks (sprint_id, title, role, priority, state, created_at, updated_at)
SELECT 1, 'Task number ' || i || ' with a title of some length', 
    CASE i % 4 WHEN 0 THEN 'worker' WHEN 1 THEN 'reviewer' WHEN 2 THEN 'architect' ELSE 'designer' END,
    i % 5,
    CASE i % 7 WHEN 0 THEN 'done' WHEN 1 THEN 'running' WHEN 2 THEN 'review' WHEN 3 THEN 'failed' ELSE 'backlog' END,
    $now - 86400, $now - 3600 FROM n;
WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO task_deps (task_id, blocker_id, created_at) SELECT i, i - 1, $now FROM n WHERE i % 3 = 0;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO runs (task_id, role, provider, model, state, started_at, ended_at, log_done)
SELECT i * 7 + 1, 'worker', CASE i % 3 WHEN 0 THEN 'claude' WHEN 1 THEN 'codex' ELSE 'gemini' END,
    'model-x', 'exited', $now - 7200, $now - 3600, 1 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
INSERT INTO calls (run_id, at, tokens_in, tokens_out, cost_usd)
SELECT i % 1000 + 1, $now - 5000, 1000, 100, CASE WHEN i % 50 = 0 THEN NULL ELSE 0.001 END FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999999)
INSERT INTO events (run_id, offset, at, kind, data)
SELECT i % 1000 + 1, i, $now - 5000, CASE i % 3 WHEN 0 THEN 'text' WHEN 1 THEN 'tool_start' ELSE 'usage' END,
    '{"text":"event ' || i || '"}' FROM n;
COMMIT;
SQL
sqlite3 "$DB" "SELECT 'tasks', count(*) FROM tasks; SELECT 'events', count(*) FROM events;" | tr '\n' ' '
echo

# Start the UI on a private tmux; print the pid of baton.
start() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	sleep 0.2
	tmux -L "$SOCK" -u -f /dev/null new-session -d -s b -x "${COLS:-160}" -y "${ROWS:-50}" -c "$REPO" \
	    "exec env TERM=tmux-256color $BATON $*"
	local i pid
	for i in $(seq 1 100); do
		tmux -L "$SOCK" capture-pane -p -t b:0 | grep -q '^ baton ' && break
		sleep 0.05
	done
	tmux -L "$SOCK" display -p -t b:0 '#{pane_pid}'
}


ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# 1. First frame: five starts, from the log's own clock: from ui_main and
# from main (so the store opening is counted too).
echo "first frame (board, 10000 tasks, 1000000 events):"
all= mains=
for i in 1 2 3 4 5; do
	rm -rf "$XDG_STATE_HOME"
	pid=$(start -v)
	sleep 0.5	# costs fill in on the next loop turn
	log=$(ls "$XDG_STATE_HOME"/baton/baton-*.log)
	read -r us main fill <<EOF2
$(awk '
function t(s) { split(s, a, "."); return a[1] * 1000000 + a[2] }
/started, command/ { m = t($1) }
/first frame after/ { f = t($1); us = $(NF - 1) }
/costs of .* cards loaded/ { c = t($1) }
END { print us, f - m, c - f }' "$log")
EOF2
	printf '  run %d: %d.%03d ms from ui_main, %d.%03d ms from main; costs filled in %d.%03d ms later\n' \
	    "$i" $((us / 1000)) $((us % 1000)) $((main / 1000)) $((main % 1000)) $((fill / 1000)) $((fill % 1000))
	all="$all $us"
	mains="$mains $main"
done
median=$(printf '%s\n' $all | sort -n | sed -n 3p)
mmedian=$(printf '%s\n' $mains | sort -n | sed -n 3p)
printf 'FIRST FRAME: median %d.%03d ms from ui_main, %d.%03d ms from main (target 30 ms)\n' \
    $((median / 1000)) $((median % 1000)) $((mmedian / 1000)) $((mmedian % 1000))
tmux -L "$SOCK" capture-pane -p -t b:0 | sed -n 2,3p

# CPU time of a process in nanoseconds (scheduler statistics).
cpu_ns() {
	awk '{ print $1 }' "/proc/$1/schedstat"
}
idle() {
	local a z
	a=$(cpu_ns "$1")
	sleep "$IDLE"
	z=$(cpu_ns "$1")
	awk -v d=$((z - a)) -v s="$IDLE" 'BEGIN { printf "%.3f ms of CPU in %d s = %.4f %% of a core", d / 1e6, s, 100 * d / 1e9 / s }'
}

# 2. Idle: 20 quiet runs on the live view (its clock ticks every second),
# then the board.
sqlite3 "$DB" "UPDATE runs SET state = 'running', ended_at = NULL WHERE id <= 20"

tmux -L "$SOCK" send-keys -t b:0 2
sleep 3
tmux -L "$SOCK" capture-pane -p -t b:0 | sed -n 2p
echo "IDLE CPU (live view, 20 quiet runs, 1 s clock): $(idle "$pid") (target 0.1 %)"
tmux -L "$SOCK" send-keys -t b:0 1
sleep 3
echo "IDLE CPU (board view, 10000 tasks, no clock): $(idle "$pid")"

# 3. Peak RSS with 50 active runs on screen: on a sprint of 200 tasks (the
# 1000000 events stay), then on the 10000-task sprint; and, for the floor,
# an empty repository (what the linked libraries cost before any data).
visit() {
	tmux -L "$SOCK" send-keys -t b:0 2
	sleep 1
	tmux -L "$SOCK" send-keys -t b:0 G g 3 4 1 l l Enter Escape 2
	sleep 1
	tmux -L "$SOCK" capture-pane -p -t b:0 | sed -n 2p
}
rss() {
	awk '/VmHWM/ { h = $2 } /RssAnon/ { a = $2 } /RssFile/ { f = $2 }
	    END { printf "%d kB peak (now %d kB private, %d kB shared-library and file pages)", h, a, f }' \
	    "/proc/$1/status"
}
sqlite3 "$DB" "UPDATE runs SET state = 'running', ended_at = NULL WHERE id <= 50; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cp "$DB" "$DB.big"
sqlite3 "$DB" "UPDATE tasks SET sprint_id = NULL WHERE id > 200"
pid=$(ROWS=60 start)
visit
echo "PEAK RSS (50 runs on screen, 200-task sprint, all views visited): $(rss "$pid") (target 8192 kB)"
tmux -L "$SOCK" kill-server
sleep 0.3
rm -f "$DB-wal" "$DB-shm"
mv "$DB.big" "$DB"
pid=$(ROWS=60 start)
visit
echo "PEAK RSS (50 runs on screen, 10000-task sprint, all views visited): $(rss "$pid")"
tmux -L "$SOCK" kill-server
sleep 0.3
REPO=$ROOT/empty
mkdir -p "$REPO" && git -C "$REPO" init -q && (cd "$REPO" && "$BATON" init >/dev/null)
pid=$(ROWS=60 start)
visit >/dev/null
echo "RSS FLOOR (empty repository, same visits): $(rss "$pid")"
