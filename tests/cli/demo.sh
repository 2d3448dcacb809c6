#!/bin/sh
# demo: a real repository with a real commit and a sample sprint.
. "$(dirname "$0")/lib.sh"

cd "$TEST_TMP" || exit 99
run demo --dir "$TEST_TMP/demo"
ok "demo"
contains "demo says where it is" "$OUT" "$TEST_TMP/demo"
same "one commit on main" "$(git -C demo log --format=%s main)" "wc-lite: a tiny word counter"
git -C demo fsck --strict >/dev/null 2>&1 && pass || fail "git fsck on the demo"
same "work tree clean" "$(git -C demo status --porcelain)" ""
(cd demo && make -s >/dev/null 2>&1 && sh test.sh) >/dev/null 2>&1 && pass ||
    fail "the demo program does not build and pass its test"
run -C demo ls --json
same "eight tasks" "$(printf '%s' "$OUT" | jq length)" "8"
run -C demo ready --json
same "two tasks ready" "$(printf '%s' "$OUT" | jq -c 'map(.id)')" "[1,4]"
run -C demo show 8 --json
same "last task waits on both branches" "$(printf '%s' "$OUT" | jq -c .blocked_by)" "[6,7]"
run -C demo sprint ls --json
same "in an open sprint" "$(printf '%s' "$OUT" | jq -c 'map([.name, .open])')" '[["demo",true]]'

run demo --dir "$TEST_TMP/demo"
refused "demo into an existing folder" "wants a new folder"
TMPDIR="$TEST_TMP" "$BATON" demo >/dev/null 2>&1 && pass || fail "demo in a temporary folder"
ls -d "$TEST_TMP"/baton-demo.* >/dev/null 2>&1 && pass || fail "no temporary demo folder"

finish
