#!/bin/bash
# Task detail shows what the task's branch changed since it left main, as
# git itself counts it (git diff --stat main...branch).
. "${SRCDIR:-.}/tests/cli/ui-lib.sh"

repo_new
cd "$REPO" || exit 99
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
git checkout -q -b main
printf 'one\ntwo\n' >a.txt
git add a.txt && git commit -qm base
git checkout -q -b feature
printf 'one\n2\nthree\n' >a.txt
printf 'new\nfile\n' >b.txt
git add a.txt b.txt && git commit -qm "work on the feature"
git checkout -q main
printf 'main moved on\n' >c.txt
git add c.txt && git commit -qm "unrelated work on main"

b sprint new s >/dev/null
b add "Feature work" >/dev/null
b add "No branch yet" >/dev/null
sqlite3 "$DB" "UPDATE tasks SET branch = 'feature' WHERE id = 1"
want=$(git diff --stat main...feature | tail -n 1 | sed -e 's/^ *//')

ui_start 120 40
keys Enter
wait_for "^#1 Feature work"
wait_for "^Work on feature"
expect "$(printf '%s' "$want" | sed -e 's/[()+]/\\&/g')"
expect "a\.txt +\| +3 "
expect "b\.txt +\| +2 "
expect_not "c\.txt"
pass "the branch's diffstat, as git counts it"
ui_quit
echo "ui-diffstat: 1 check, 0 failed"
