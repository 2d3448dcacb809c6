#!/bin/sh
# baton does the git side of a conflict's resolution, so an agent that
# cannot run git only edits files: baton-git resolve-prepare keeps the
# task's branch (under refs/baton/saved/), writes its
# change over main's tip into the worktree with each conflict between
# markers, and moves the branch to main; a second prepare changes nothing
# an agent edited; a commit is refused while a marker is left; the
# resolved commit lands on main with a proof, both sides kept. Checked
# with the git CLI.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git-lib.sh"

BATON_GIT=$(dirname "$BATON")/baton-git
new_repo
printf 'one\ntwo\nthree\n' >list.txt
echo "keep me" >kept.txt
git add list.txt kept.txt && git commit -qm "a list"
run init
ok "init"

bgit() {	# bgit ARGS...: run baton-git as run runs baton
	baton=$BATON
	BATON=$BATON_GIT
	run "$@"
	BATON=$baton
}

# Task 1 changes the list's last line and adds a file of its own; main
# changes the same line meanwhile.
task "Change the list"
printf 'one\ntwo\nthree, the task says\n' >"$WT/list.txt"
echo "new" >"$WT/own.txt"
git -C "$WT" add -A && git -C "$WT" commit -qm "task's change" || fail "commit"
tip=$(git rev-parse "$BR")
printf 'one\ntwo\nthree, main says\n' >list.txt
git commit -qam "main's change"
main=$(git rev-parse main)

bgit merge 1
same "the landing conflicts" "$(json result)" '"conflict"'

bgit resolve-prepare 1
ok "prepare"
same "prepare names the conflict" "$(json files)" '["list.txt"]'
same "the branch is main's tip" "$(git rev-parse "$BR")" "$main"
saved=$(git for-each-ref --format='%(objectname)' 'refs/baton/saved/T1-resolve-*')
same "and as a saved ref" "$saved" "$tip"
same "the task's own file is in the worktree" "$(cat "$WT/own.txt")" "new"
contains "the conflict is between markers" "$(cat "$WT/list.txt")" "<<<<<<< main"
contains "with the task's side" "$(cat "$WT/list.txt")" "three, the task says"
contains "and main's" "$(cat "$WT/list.txt")" "three, main says"
same "the index is main's tree" "$(git -C "$WT" diff --cached --stat)" ""
same "the task's change shows as unstaged" \
    "$(git -C "$WT" status --porcelain | sort | tr '\n' ' ')" " M list.txt ?? own.txt "

# An agent's half-done edit survives a second prepare.
printf 'one\ntwo\n<<<<<<< main\nthree, main says\n=======\nthree, the task says, edited\n>>>>>>> T1\n' \
    >"$WT/list.txt"
bgit resolve-prepare 1
ok "prepare again"
contains "prepare again keeps the agent's edit" "$(cat "$WT/list.txt")" "edited"
same "the branch did not move" "$(git rev-parse "$BR")" "$main"

# A marker left: nothing is committed.
printf 'nothing\n' >"$TEST_TMP/msg"
bgit commit 1 resolver resolver@baton.invalid "$TEST_TMP/msg"
refused "a marker left is refused" "conflict markers are left in list.txt"
same "nothing was committed" "$(git rev-parse "$BR")" "$main"

# Resolved: one commit on main's tip, which lands with a proof.
printf 'one\ntwo\nthree, main says\nthree, the task says\n' >"$WT/list.txt"
printf 'T1: Change the list\n\nBoth kept.\n' >"$TEST_TMP/msg"
bgit commit 1 resolver resolver@baton.invalid "$TEST_TMP/msg"
ok "the resolution is committed"
same "one commit on main's tip" "$(git rev-parse "$BR~1")" "$main"
[ ! -e "$WT/.baton/resolve.json" ] && pass || fail "resolve.json is left"
run merge 1
ok "the resolved task lands"
same "both sides are on main" "$(git show main:list.txt | tail -n 2 | tr '\n' '|')" \
    "three, main says|three, the task says|"
same "the task's file is on main" "$(git show main:own.txt)" "new"
same "the file main kept is there" "$(git show main:kept.txt)" "keep me"
same "one good proof" "$(q "SELECT count(*) FROM merge_proofs WHERE task_id = 1 AND ok = 1")" "1"
fsck
finish
