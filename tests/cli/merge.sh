#!/bin/sh
# baton merge in real git repositories, checked with the git CLI: a task's
# branch lands on main rebased and fast-forwarded, and a conflict, a dirty
# checkout of main, a dirty task worktree or an empty branch moves nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git-lib.sh"

new_repo
run init
ok "init"

gone() {	# gone N BRANCH WORKTREE: the task's branch and worktree are gone
	git rev-parse -q --verify "refs/heads/$2" >/dev/null &&
	    fail "#$1's branch $2 is left" || pass
	[ ! -e "$3" ] && pass || fail "#$1's worktree $3 is left"
	same "#$1: branch no longer stored" "$(field "$1" branch)" "null"
}

# 1. A simple merge: main fast-forwards to the branch.
task "write a"
commit_in "$WT" a.txt "from a" "add a"
base=$(git rev-parse main)
tip=$(git rev-parse "$BR")
run merge $N --json
ok "merge #1"
same "merged" "$(json result)" '"merged"'
same "one commit landed" "$(json commits)" "1"
same "base is main before" "$(json base)" "\"$base\""
same "main is reported" "$(json main)" "\"$(git rev-parse main)\""
same "main fast-forwarded to the branch" "$(git rev-parse main)" "$tip"
same "the change is on main" "$(git show main:a.txt)" "from a"
same "and in the checkout" "$(cat a.txt)" "from a"
same "git cherry: nothing left to land" "$(git cherry main "$tip")" ""
clean_main "#1"
gone 1 "$BR" "$WT"
same "#1 is done" "$(field 1 state)" "done"
[ "$(field 1 finished_at)" != null ] && pass || fail "#1 has no finished_at"
same "only main's worktree is left" "$(git worktree list | wc -l)" "1"
[ ! -e .baton/merge.pending ] && pass || fail "merge.pending left behind"

# 2. Main moved meanwhile: the branch is rebased, then main fast-forwards.
task "write b"
GIT_AUTHOR_NAME=agent GIT_AUTHOR_EMAIL=agent@example.invalid \
    commit_in "$WT" b.txt "from b" "add b"
old_tip=$(git rev-parse "$BR")
commit_in . c.txt "from c" "main c"
moved=$(git rev-parse main)
run merge $N
ok "merge #2 after main moved"
same "says what it did" "$(printf '%s' "$OUT" | head -n 1)" \
    "merged #2: 1 commit onto main ($(git rev-parse --short=7 main))"
same "both changes on main" "$(git show main:b.txt) $(git show main:c.txt)" \
    "from b from c"
same "history is linear" "$(git log --format=%s main)" "add b
main c
add a
first"
same "no merge commits" "$(git rev-list --merges main)" ""
same "rebased onto main's tip" "$(git rev-parse main~1)" "$moved"
same "git cherry: the branch's commit is on main" \
    "$(git cherry main "$old_tip" | cut -c1)" "-"
same "the author is kept" "$(git log -1 --format='%an <%ae>' main)" \
    "agent <agent@example.invalid>"
clean_main "#2"
gone 2 "$BR" "$WT"
fsck

# 3. Two tasks edit the same line: the first lands, the second conflicts
# and nothing of it moves.
task "say three"
BR3=$BR WT3=$WT
task "say four"
BR4=$BR WT4=$WT
commit_in "$WT3" README "three" "README says three"
commit_in "$WT4" README "four" "README says four"
run merge 3
ok "merge #3"
main3=$(git rev-parse main)
tip4=$(git rev-parse "$BR4")
run merge 4 --json
same "conflict exits 1" "$RC" "1"
same "result conflict" "$(json result)" '"conflict"'
same "the conflicting file is named" "$(json files)" '["README"]'
same "nothing landed" "$(json commits)" "0"
same "no new main" "$(json main)" "null"
contains "says why" "$ERR" \
    "conflict: #4's branch does not apply on main: README"
same "#4's branch is exactly as it was" "$(git rev-parse "$BR4")" "$tip4"
same "main unchanged" "$(git rev-parse main)" "$main3"
same "main's README is #3's" "$(cat README)" "three"
same "#4's worktree is intact" "$(cat "$WT4/README")" "four"
same "#4's worktree is clean" "$(git -C "$WT4" status --porcelain)" ""
same "#4 is not done" "$(field 4 state)" "backlog"
contains "#4's reason says why" "$(field 4 reason)" "conflict: #4's branch"
same "#4's branch still stored" "$(field 4 branch)" "$BR4"
clean_main "#4"
fsck

# 4. A branch whose change is already on main: nothing is applied twice.
task "write d"
commit_in "$WT" d.txt "from d" "add d"
commit_in . k.txt "from k" "main k"
git cherry-pick "$BR" >/dev/null 2>&1 || fail "cherry-pick"
picked=$(git rev-parse main)
run merge $N --json
ok "merge #5, already on main"
same "merged" "$(json result)" '"merged"'
same "no commit landed" "$(json commits)" "0"
same "main unchanged" "$(git rev-parse main)" "$picked"
same "the change is there once" "$(git log --format=%s main | grep -c 'add d')" \
    "1"
contains "says the commit was skipped" "$(json steps)" "is already on main"
gone 5 "$BR" "$WT"
same "#5 is done" "$(field 5 state)" "done"
fsck

# 5. The user's checkout of main has local changes: held, untouched.
task "write e"
commit_in "$WT" e.txt "from e" "add e"
tip=$(git rev-parse "$BR")
before=$(git rev-parse main)
printf 'my own edit\r\nno newline' >>README
sum=$(sha256sum README)
run merge $N --json
same "held exits 1" "$RC" "1"
same "result held" "$(json result)" '"held"'
contains "names the checkout" "$ERR" \
    "main is checked out in $REPO with local changes; commit or stash them"
same "the changed file is named" "$(json files)" '["README"]'
same "main unchanged" "$(git rev-parse main)" "$before"
same "the branch unchanged" "$(git rev-parse "$BR")" "$tip"
same "the user's edit is there byte for byte" "$(sha256sum README)" "$sum"
[ ! -e e.txt ] && pass || fail "held merge wrote e.txt"
same "#6 is not done" "$(field 6 state)" "backlog"
git checkout -q README
run merge $N
ok "merge #6 once the checkout is clean"
same "e.txt landed" "$(cat e.txt)" "from e"
clean_main "#6"

# 6. A task worktree with uncommitted work: dirty, nothing moves.
task "write f"
commit_in "$WT" f.txt "from f" "add f"
echo "not committed" >"$WT/g.txt"
tip=$(git rev-parse "$BR")
before=$(git rev-parse main)
run merge $N --json
same "dirty exits 1" "$RC" "1"
same "result dirty" "$(json result)" '"dirty"'
same "the uncommitted file is named" "$(json files)" '["g.txt"]'
contains "says why" "$ERR" "#7's worktree $WT has uncommitted changes: g.txt"
same "main unchanged" "$(git rev-parse main)" "$before"
same "the branch unchanged" "$(git rev-parse "$BR")" "$tip"
same "the uncommitted file is kept" "$(cat "$WT/g.txt")" "not committed"
same "#7 is not done" "$(field 7 state)" "backlog"
contains "#7's reason says why" "$(field 7 reason)" "uncommitted changes"

# 7. An empty branch: nothing to land, and the task is not done.
task "do nothing"
before=$(git rev-parse main)
run merge $N --json
same "empty exits 1" "$RC" "1"
same "result empty" "$(json result)" '"empty"'
contains "says why" "$ERR" "has no commits main lacks: nothing to merge"
same "main unchanged" "$(git rev-parse main)" "$before"
same "#8 is not done" "$(field 8 state)" "backlog"
[ -d "$WT" ] && pass || fail "empty merge removed the worktree"
git rev-parse -q --verify "refs/heads/$BR" >/dev/null && pass ||
    fail "empty merge removed the branch"

# 8. A live index.lock stops the merge before anything moves; a stale one
# is healed.
task "write h"
commit_in "$WT" h.txt "from h" "add h"
commit_in . i.txt "from i" "main i"
tip=$(git rev-parse "$BR")
before=$(git rev-parse main)
echo busy >.git/index.lock
run merge $N
refused "a live index.lock" "$REPO/.git/index.lock exists"
contains "says nothing changed" "$ERR" "nothing was changed"
same "main unchanged" "$(git rev-parse main)" "$before"
same "the branch unchanged" "$(git rev-parse "$BR")" "$tip"
[ -e .git/index.lock ] && pass || fail "a live index.lock was removed"
touch -d "@$(($(date +%s) - 600))" .git/index.lock
run merge $N
ok "merge #9 with a stale index.lock"
contains "says the lock was stale" "$OUT" \
    "removed stale lock $REPO/.git/index.lock"
same "h.txt landed" "$(cat h.txt)" "from h"
clean_main "#9"

# 9. A merge killed after main moved is finished when run again, not taken
# for an empty branch.
task "write j"
commit_in "$WT" j.txt "from j" "add j"
tip=$(git rev-parse "$BR")
before=$(git rev-parse main)
# As if killed just after main moved, before its checkout was updated.
git update-ref refs/heads/main "$tip" "$before"
printf 'task %s\nbranch refs/heads/%s\ntip %s\nbase %s\ncommits 1\n' \
    "$N" "$BR" "$tip" "$before" >.baton/merge.pending
run merge $N --json
ok "merge #10 again"
same "merged" "$(json result)" '"merged"'
same "the earlier run's commit is counted" "$(json commits)" "1"
same "main unchanged" "$(git rev-parse main)" "$tip"
same "j.txt in the checkout" "$(cat j.txt)" "from j"
clean_main "#10"
gone 10 "$BR" "$WT"
[ ! -e .baton/merge.pending ] && pass || fail "merge.pending left behind"

# 10. Merging a merged task again is an error that changes nothing.
before=$(git rev-parse main)
digest=$(db_digest)
run merge 1
refused "merge #1 again" "#1 has no branch: nothing to merge"
same "main unchanged" "$(git rev-parse main)" "$before"
same "store unchanged" "$(db_digest)" "$digest"
run merge 99
refused "no such task" "no task #99"
run merge
same "no id: usage" "$RC" "2"

same "main is linear" "$(git rev-list --merges main)" ""
clean_main "end"
fsck
finish
