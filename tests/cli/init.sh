#!/bin/sh
# baton init: where it works, what it makes, and that running it twice is
# harmless.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TEST_TMP/plain"
cd "$TEST_TMP/plain" || exit 99
run init
refused "init outside a repository" "not inside a git repository"
[ ! -e .baton ] && pass || fail "init outside a repository made .baton"

run ls
refused "ls outside a repository" "not inside a git repository"

new_repo
run ls
refused "ls before init" "run 'baton init' first"

run init
ok "init"
same "init message" "$OUT" "baton is set up in $REPO/.baton (schema 5)"
same ".baton mode" "$(stat -c %a .baton)" "700"
same "database mode" "$(stat -c %a .baton/baton.db)" "600"
same "config mode" "$(stat -c %a .baton/config)" "600"
same "runs mode" "$(stat -c %a .baton/runs)" "700"
same "worktrees mode" "$(stat -c %a .baton/worktrees)" "700"
same "excluded once" "$(grep -c '^/.baton/$' .git/info/exclude)" "1"
same "git ignores .baton" "$(git status --porcelain)" ""
same "WAL mode" "$(sqlite3 .baton/baton.db 'PRAGMA journal_mode')" "wal"

run add "keep me"
ok "add after init"
chmod 0755 .baton
run init
same "init makes an opened-up .baton private again" "$(stat -c %a .baton)" "700"
echo "# my settings" >>.baton/config
run init
ok "second init"
same "still excluded once" "$(grep -c '^/.baton/$' .git/info/exclude)" "1"
run ls --json
same "second init keeps tasks" "$(printf '%s' "$OUT" | jq -r '.[].title')" \
    "keep me"
contains "second init keeps the config" "$(cat .baton/config)" "# my settings"

# An exclude file without a final newline keeps its last line whole.
new_repo other
printf 'build' >.git/info/exclude
run init
ok "init with an unterminated exclude"
same "exclude lines" "$(cat .git/info/exclude)" "build
/.baton/"

# From a subdirectory and from a linked worktree, the main .baton is used.
cd "$TEST_TMP/repo" || exit 99
mkdir -p sub/dir
run -C sub/dir ls --json
same "ls from a subdirectory" "$(printf '%s' "$OUT" | jq -r '.[].title')" \
    "keep me"
git worktree add -q "$TEST_TMP/linked" 2>/dev/null
run -C "$TEST_TMP/linked" ls --json
same "ls from a linked worktree" "$(printf '%s' "$OUT" | jq -r '.[].title')" \
    "keep me"
[ ! -e "$TEST_TMP/linked/.baton" ] && pass || fail "linked worktree got .baton"

git init -q --bare "$TEST_TMP/bare.git"
run -C "$TEST_TMP/bare.git" init
refused "init in a bare repository" "bare repository"

finish
