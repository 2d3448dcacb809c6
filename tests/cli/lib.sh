# Helpers for the shell tests that drive the real baton binary in temporary
# git repositories. Each test file sources this, calls its checks, and ends
# with 'finish'.

set -u

: "${BATON:?BATON must name the baton binary (make check sets it)}"
FIXTURES=${FIXTURES:-$(cd "$(dirname "$0")/../fixtures" && pwd)}

TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/baton-test-$TEST_NAME.XXXXXX")
CHECKS=0
FAILS=0

# Keep the tests away from the user's own settings.
export HOME="$TEST_TMP/home"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_STATE_HOME="$HOME/.local/state"
export GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
export LC_ALL=C.UTF-8
unset TMUX BATON_MIGRATE_TO
mkdir -p "$HOME"

cleanup() {
	chmod -R u+rwX "$TEST_TMP" 2>/dev/null
	rm -rf "$TEST_TMP"
}
trap cleanup EXIT

# A fresh git repository with one commit, as the working directory.
new_repo() {
	REPO="$TEST_TMP/${1:-repo}"
	mkdir -p "$REPO"
	cd "$REPO" || exit 99
	git init -q -b main
	echo "hello" >README
	git add README
	git commit -qm "first"
}

# Run baton; stdout in $OUT, stderr in $ERR, exit code in $RC.
# A sanitizer report (leak, overflow, undefined behaviour) fails the test
# even where the command was expected to fail.
run() {
	OUT=$("$BATON" "$@" 2>"$TEST_TMP/stderr")
	RC=$?
	ERR=$(cat "$TEST_TMP/stderr")
	case $ERR in
	*Sanitizer*|*"runtime error:"*)
		fail "sanitizer report from baton $*: $ERR" ;;
	esac
}

pass() {
	CHECKS=$((CHECKS + 1))
}

fail() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	echo "FAIL: $*" >&2
}

# ok DESCRIPTION: the last run succeeded.
ok() {
	if [ "$RC" -eq 0 ]; then pass; else fail "$1 (exit $RC: $ERR)"; fi
}

# refused DESCRIPTION PATTERN: the last run failed with PATTERN on stderr.
refused() {
	if [ "$RC" -eq 0 ]; then
		fail "$1: expected an error, got success: $OUT"
	elif ! printf '%s' "$ERR" | grep -qF -- "$2"; then
		fail "$1: expected '$2' in the error, got: $ERR"
	else
		pass
	fi
}

# same DESCRIPTION GOT WANT
same() {
	if [ "$2" = "$3" ]; then
		pass
	else
		fail "$1"
		printf '  got:  %s\n  want: %s\n' "$2" "$3" >&2
	fi
}

# contains DESCRIPTION HAYSTACK NEEDLE
contains() {
	if printf '%s' "$2" | grep -qF -- "$3"; then
		pass
	else
		fail "$1: '$3' not in: $2"
	fi
}

# wait_until TENTHS DESCRIPTION COMMAND...: up to TENTHS/10 s for COMMAND to
# succeed (a limit for a test that would hang, not a timing).
wait_until() {
	limit=$1 desc=$2
	shift 2
	i=0
	while [ $i -lt "$limit" ]; do
		if "$@" >/dev/null 2>&1; then pass; return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "timed out: $desc"
	return 1
}

# wait_for DESCRIPTION COMMAND...: up to 10 s for COMMAND to succeed.
wait_for() {
	wait_until 100 "$@"
}

# wait_exit RUN [TENTHS]: up to 10 s (or TENTHS/10 s) for the run to end.
wait_exit() {
	i=0
	while [ ! -f ".baton/runs/$1/exit" ] && [ $i -lt "${2:-100}" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -f ".baton/runs/$1/exit" ] && pass || fail "run $1 did not end"
}

# q SQL: a query on the repository's store.
q() {
	sqlite3 .baton/baton.db "$1"
}

# A digest of everything stored, to show a refused command wrote nothing.
db_digest() {
	sqlite3 "${1:-.baton/baton.db}" .dump | sha256sum | cut -d' ' -f1
}

finish() {
	echo "$TEST_NAME: $CHECKS checks, $FAILS failed"
	[ "$CHECKS" -gt 0 ] || { echo "no checks ran" >&2; exit 1; }
	[ "$FAILS" -eq 0 ]
}
