#!/bin/sh
# Help, the man page and the shell completions all follow the command table.
. "$(dirname "$0")/lib.sh"

SRC=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

run --help
ok "--help"
help=$OUT
run help --commands
ok "help --commands"
names=$OUT
[ "$(printf '%s\n' "$names" | wc -l)" -ge 15 ] && pass || fail "too few commands: $names"

printf '%s\n' "$names" | while IFS= read -r name; do
	# shellcheck disable=SC2086
	out=$("$BATON" $name --help 2>&1) || echo "FAIL: $name --help failed" >&2
	case $out in
	"usage: baton $name"*) ;;
	*) echo "FAIL: $name --help: $out" >&2; echo x >>"$TEST_TMP/bad" ;;
	esac
	printf '%s\n' "$help" | grep -q "^  $name " ||
	    { echo "FAIL: $name missing from --help" >&2; echo x >>"$TEST_TMP/bad"; }
	first=${name%% *}
	rest=${name#"$first"}
	rest=${rest# }
	if [ -n "$rest" ]; then
		pattern="^\.It Cm $first $rest"
	else
		pattern="^\.It Cm $first\( \|$\)"
	fi
	grep -q "$pattern" "$SRC/baton.1" ||
	    { echo "FAIL: $name missing from baton.1" >&2; echo x >>"$TEST_TMP/bad"; }
done
[ ! -e "$TEST_TMP/bad" ] && pass || fail "help, usage and the man page disagree"

run nosuch
same "unknown command exits 2" "$RC" "2"
contains "unknown command named" "$ERR" "unknown command: nosuch"
run -v help
ok "-v writes a debug log"
ls "$XDG_STATE_HOME"/baton/baton-*.log >/dev/null 2>&1 && pass ||
    fail "no debug log under $XDG_STATE_HOME/baton"
run --version
contains "--version" "$OUT" "baton "

# The man page renders without warnings.
if command -v groff >/dev/null 2>&1; then
	warnings=$(groff -mandoc -Tutf8 -ww -z "$SRC/baton.1" 2>&1)
	same "man page renders cleanly" "$warnings" ""
fi

# bash completion, run for real with baton on PATH.
mkdir -p "$TEST_TMP/bin"
ln -s "$BATON" "$TEST_TMP/bin/baton"
complete_bash() {
	PATH="$TEST_TMP/bin:$PATH" bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_baton
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
	' bash "$SRC/contrib/completion/baton" "$@"
}
same "bash completes commands" "$(complete_bash baton sp)" "sprint "
same "bash completes subcommands" "$(complete_bash baton sprint "")" "close ls new "
same "bash completes options" "$(complete_bash baton add --pri)" "--priority "
same "bash completes two-word command options" \
    "$(complete_bash baton plan import x --pa)" "--parent "
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$SRC/contrib/completion/_baton" && pass || fail "zsh completion syntax"
fi

finish
