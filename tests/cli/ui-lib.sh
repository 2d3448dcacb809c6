# Shared by the UI tests: a repository in a temporary folder, the real
# baton inside a real tmux on a private socket, keys in, screens out.
# Rows the commands cannot write yet (runs, calls, events, rate limits) go
# in with the sqlite3 CLI.

set -u
: "${BATON:?BATON must name the built baton}"
export LC_ALL=C.UTF-8
unset TMUX NO_COLOR

command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 77; }

UI_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/baton-uitest.XXXXXX")
UI_SOCK="baton-uitest-$$"
UI_COLS=120
UI_ROWS=40
export XDG_CONFIG_HOME="$UI_ROOT/config" XDG_STATE_HOME="$UI_ROOT/state"

ui_cleanup() {
	tmux -L "$UI_SOCK" kill-server 2>/dev/null
	[ -n "${UI_SOCK2:-}" ] && tmux -L "$UI_SOCK2" kill-server 2>/dev/null
	rm -rf "$UI_ROOT"
}
trap ui_cleanup EXIT
trap 'exit 1' INT TERM

# The visible screen, one line per row, trailing blanks dropped.
screen() {
	tmux -L "$UI_SOCK" capture-pane -p -t ui:0 | sed -e 's/ *$//'
}

fail() {
	echo "FAIL: $*" >&2
	echo "--- screen:" >&2
	screen >&2
	exit 1
}

pass() {
	echo "ok - $*"
}

# Wait until the screen matches an extended regex (or fail after ~10 s).
wait_for() {
	local i
	for i in $(seq 1 "${2:-100}"); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	fail "timed out waiting for /$1/"
}

# Wait until the screen does not match.
wait_gone() {
	local i
	for i in $(seq 1 "${2:-100}"); do
		screen | grep -Eq -- "$1" || return 0
		sleep 0.1
	done
	fail "still showing /$1/"
}

expect() {
	screen | grep -Eq -- "$1" || fail "expected /$1/ on screen"
}

expect_not() {
	screen | grep -Eq -- "$1" && fail "did not expect /$1/ on screen"
	return 0
}

keys() {
	tmux -L "$UI_SOCK" send-keys -t ui:0 "$@"
}

# No screen line is wider than the terminal (display columns).
check_widths() {
	local cols=$1 widest
	widest=$(screen | wc -L)
	[ "$widest" -le "$cols" ] || fail "a line is $widest columns wide " \
	    "on a $cols-column terminal"
}

repo_new() {
	REPO="$UI_ROOT/repo"
	mkdir -p "$REPO"
	git -C "$REPO" init -q
	(cd "$REPO" && "$BATON" init >/dev/null) || fail "baton init"
	DB="$REPO/.baton/baton.db"
}

b() {
	(cd "$REPO" && "$BATON" "$@")
}

sql() {
	sqlite3 -cmd '.timeout 5000' "$DB" "$@"
}

# run_add TASK STATE ROLE PROVIDER MODEL STARTED [ATTEMPT] [WINDOW]: prints
# the id. These runs have no log for baton to store: log_done says so.
run_add() {
	sql "INSERT INTO runs (task_id, state, role, provider, model,
	    started_at, attempt, tmux_window, log_done) VALUES ($1, '$2', '$3',
	    '$4', '$5', $6, ${7:-1}, ${8:-NULL}, 1); SELECT last_insert_rowid();"
}

# call_add RUN AT IN CACHE OUT COST [MODEL]; COST may be NULL.
call_add() {
	sql "INSERT INTO calls (run_id, at, tokens_in, tokens_cache_read,
	    tokens_out, cost_usd, model) VALUES ($1, $2, $3, $4, $5, $6,
	    ${7:-NULL})"
}

# event_add RUN OFFSET KIND DATA
event_add() {
	sql "INSERT INTO events (run_id, offset, at, kind, data) VALUES ($1,
	    $2, strftime('%s','now'), '$3', '$4')"
}

# limit_add PROVIDER RUN DETECTED RESET
limit_add() {
	sql "INSERT INTO rate_limits (provider, kind, run_id, detected_at,
	    reset_at) VALUES ('$1', 'requests', $2, $3, $4)"
}

# Start the UI: ui_start [COLS ROWS] [-- extra baton arguments].
ui_start() {
	local cols=${1:-$UI_COLS} rows=${2:-$UI_ROWS}
	shift 2 2>/dev/null
	tmux -L "$UI_SOCK" -u -f /dev/null new-session -d -s ui -x "$cols" \
	    -y "$rows" -c "$REPO" \
	    "env TERM=${UI_TERM:-screen} LC_ALL=C.UTF-8 $UI_ENV $BATON $*; echo baton-exited-\$?; sleep 600" ||
	    fail "cannot start tmux"
	wait_for "^ baton "
}
UI_ENV=""

ui_quit() {
	keys q
	wait_for "baton-exited-0"
	ui_quit_server
}

ui_quit_server() {
	local i
	tmux -L "$UI_SOCK" kill-server 2>/dev/null
	# Wait for the server to go, so the next start gets a new one.
	for i in $(seq 1 50); do
		tmux -L "$UI_SOCK" has-session 2>/dev/null || return 0
		sleep 0.1
	done
	fail "tmux server did not exit"
}

now() {
	date +%s
}
