# Shared by the tests that work a sprint end to end: the fake agent, a
# 'baton run' in the background that is always stopped, and the tasks'
# states from the store. Source after lib.sh.

command -v tmux >/dev/null || { echo "tmux is needed"; exit 1; }
command -v jq >/dev/null || { echo "jq is needed"; exit 1; }
FAKE=$(dirname "$BATON")/contrib/fake-agent/baton-fake-agent
[ -x "$FAKE" ] || { echo "no fake agent at $FAKE"; exit 1; }

RUNNER=
sprint_teardown() {
	[ -n "$RUNNER" ] && kill "$RUNNER" 2>/dev/null
	"$BATON" tmux kill-server >/dev/null 2>&1
	cleanup
}
trap sprint_teardown EXIT

state() { q "SELECT state FROM tasks WHERE id = $1"; }
is_state() { [ "$(state "$1")" = "$2" ]; }
# Every task is done, failed, blocked or cancelled.
settled() {
	[ "$(q "SELECT count(*) FROM tasks WHERE state NOT IN ('done',
	    'failed', 'blocked', 'cancelled')")" = 0 ]
}
start_runner() {
	"$BATON" run >>"$TEST_TMP/runner.log" 2>&1 &
	RUNNER=$!
}
stop_runner() {	# [SIGNAL]
	kill ${1:+-$1} "$RUNNER" 2>/dev/null
	wait "$RUNNER" 2>/dev/null
	RUNNER=
}
# Run the sprint until it settles (or the wait, in tenths, runs out).
run_until_settled() {	# TENTHS DESCRIPTION
	start_runner
	wait_until "$1" "$2" settled
	stop_runner
}
