#!/bin/sh
# Hostile titles are stored byte for byte, never run, and printed safely:
# text output has no raw control bytes, JSON output is valid.
. "$(dirname "$0")/lib.sh"

new_repo
run init

# Each title goes in through argv and must come back out of SQLite as is.
check_stored() {
	want=$(printf '%s' "$2" | od -An -tx1 | tr -d ' \n')
	got=$(sqlite3 .baton/baton.db "SELECT lower(hex(title)) FROM tasks WHERE id = $1")
	same "title $1 stored byte for byte" "$got" "$want"
}

marker="$TEST_TMP/ran"
i=0
for title in \
    "quotes ' \" \` in it" \
    "\$(touch $marker)" \
    "\`touch $marker\`" \
    "semi; touch $marker" \
    "two
lines" \
    "$(printf 'esc \033[2J\033]0;owned\007 end')" \
    "$(printf 'invalid \377\376 utf8')" \
    "wide 漢字 and émoji 🎉" \
    "-starts-with-dash"; do
	i=$((i + 1))
	OUT=$("$BATON" add -- "$title" 2>&1) || fail "add hostile title $i: $OUT"
	check_stored $i "$title"
done
[ ! -e "$marker" ] && pass || fail "a title was run by a shell"

run ls
ok "ls with hostile titles"
if printf '%s' "$OUT" | LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')"; then
	fail "ls printed a raw control byte"
else
	pass
fi
contains "escape shown as text" "$OUT" 'esc \033[2J\033]0;owned\007 end'
contains "newline shown as text" "$OUT" 'two\nlines'
contains "invalid bytes shown as hex" "$OUT" 'invalid \xff\xfe utf8'
contains "wide characters kept" "$OUT" "wide 漢字 and émoji 🎉"

run ls --json
printf '%s' "$OUT" | jq -e . >/dev/null 2>&1 && pass || fail "ls --json is not valid JSON"
same "newline round-trips in JSON" "$(printf '%s' "$OUT" | jq -r '.[4].title')" "two
lines"
same "invalid UTF-8 becomes U+FFFD" "$(printf '%s' "$OUT" | jq -r '.[6].title')" \
    "invalid �� utf8"
printf '%s' "$OUT" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 && pass ||
    fail "ls --json is not valid UTF-8"

run show 6
if printf '%s' "$OUT" | LC_ALL=C grep -q "$(printf '\033')"; then
	fail "show printed a raw escape"
else
	pass
fi

# DEL and the C1 controls (U+009B is a one-character CSI) are escaped in
# text, in JSON and in error messages alike.
c1=$(printf 'del \177 csi \302\233 2J end')
run add "$c1" --json
raw_controls() {	# raw_controls TEXT: any C0, DEL or C1 byte left raw?
	printf '%s' "$1" | LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]\\|\302[\200-\237]')"
}
raw_controls "$OUT" && fail "add --json printed a raw control" || pass
same "JSON keeps the text" "$(printf '%s' "$OUT" | jq -r .title)" "$c1"
run ls
raw_controls "$OUT" && fail "ls printed a raw control" || pass
run ls --json
raw_controls "$OUT" && fail "ls --json printed a raw control" || pass
run show "$(printf 'x\033[2J')"
raw_controls "$ERR" && fail "an error message echoed a raw control" || pass
contains "the bad id is shown escaped" "$ERR" 'not a task id: x\033[2J'
run sprint new "$(printf 'evil \033]0;title\007')"
run sprint new "second"
raw_controls "$ERR" && fail "a sprint name reached the terminal raw" || pass

# A 1 MB title (too long for one argv string, so it comes from a plan) is
# stored whole; a 100 kB one through argv too.
big=$(head -c 1048576 /dev/zero | tr '\0' 'x')
printf '[{"title": "%s"}]' "$big" >big.json
run plan import big.json --parent 1
ok "1 MB title from a plan"
same "1 MB title stored whole" \
    "$(sqlite3 .baton/baton.db "SELECT length(title) FROM tasks WHERE id = (SELECT max(id) FROM tasks)")" "1048576"
run ls --json
same "1 MB title in JSON" "$(printf '%s' "$OUT" | jq -r '.[-1].title | length')" "1048576"
run add "$(head -c 100000 /dev/zero | tr '\0' 'y')"
ok "100 kB title through argv"
run show "$(sqlite3 .baton/baton.db 'SELECT max(id) FROM tasks')" --json
same "100 kB title in JSON" "$(printf '%s' "$OUT" | jq -r '.title | length')" "100000"
COLUMNS=60 script -qc "$BATON ls" /dev/null >"$TEST_TMP/tty.txt" 2>&1
width=$(tr -d '\r' <"$TEST_TMP/tty.txt" | wc -L)
[ "$width" -le 60 ] && pass || fail "ls on a 60-column terminal printed $width columns"

finish
