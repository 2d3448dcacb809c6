#!/bin/sh
# The merge queue's git side in real git repositories, checked with the git
# CLI: baton-git rebase moves a task's branch onto main and checks it out in
# its worktree, keeping the branch as it was first in refs/baton/orig/T<N>;
# merge --expect-base lands only on the main that was tested; every landing
# is proved (no commit and no line of the task dropped) and recorded once,
# and only a proved landing removes the task's worktree, branch and orig ref.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/git-lib.sh"

BATON_GIT=$(dirname "$BATON")/baton-git
new_repo
run init
ok "init"

bgit() {	# bgit ARGS...: run baton-git as run runs baton
	baton=$BATON
	BATON=$BATON_GIT
	run "$@"
	BATON=$baton
}
rev() {		# rev REF: the commit REF names, or "none"
	git rev-parse -q --verify "$1^{commit}" 2>/dev/null || echo none
}
proofs() {	# proofs N: how many proofs task N has recorded
	q "SELECT count(*) FROM merge_proofs WHERE task_id = $1"
}
gone() {	# gone N BRANCH WORKTREE: the task's branch, worktree, orig gone
	[ "$(rev "refs/heads/$2")" = none ] && pass ||
	    fail "#$1's branch $2 is left"
	[ ! -e "$3" ] && pass || fail "#$1's worktree $3 is left"
	[ "$(rev "refs/baton/orig/T$1")" = none ] && pass ||
	    fail "#$1's orig ref is left"
	same "#$1: branch no longer stored" "$(field "$1" branch)" "null"
}
state() {	# state BRANCH WORKTREE: refs and worktree, to compare
	printf '%s %s %s|%s' "$(rev "$1")" "$(git -C "$2" rev-parse HEAD)" \
	    "$(rev main)" "$(git -C "$2" status --porcelain)"
	git for-each-ref --format='%(refname) %(objectname)' refs/baton
}
# A landing that lost work, as it would look: main moved to the branch's
# tip, and the journal names a head main never got, which is main's tree
# with FILE holding TEXT (printf escapes) and MESSAGE. Sets lost.
lost_landing() {	# lost_landing FILE TEXT MESSAGE
	tip=$(rev "$BR")
	before=$(rev main)
	GIT_INDEX_FILE="$TEST_TMP/index" git read-tree main &&
	GIT_INDEX_FILE="$TEST_TMP/index" git update-index --add --cacheinfo \
	    "100644,$(printf "$2" | git hash-object -w --stdin),$1" ||
	    fail "index for $1"
	lost=$(git commit-tree \
	    "$(GIT_INDEX_FILE="$TEST_TMP/index" git write-tree)" -p main -m "$3")
	rm -f "$TEST_TMP/index"
	git update-ref refs/heads/main "$tip" "$before"
	printf 'task %s\nbranch refs/heads/%s\ntip %s\nbase %s\ncommits 1\nhead %s\n' \
	    "$N" "$BR" "$tip" "$before" "$lost" >.baton/merge.pending
}
# The numbered lines of a file both tasks of a test edit.
lines() {
	i=1
	while [ $i -le 9 ]; do echo "line $i"; i=$((i + 1)); done
}

# 1. Rebase: the branch moves onto main, the worktree follows, the branch as
# it was is kept as the orig ref.
task "write a"
commit_in "$WT" a.txt "from a" "add a"
commit_in "$WT" a2.txt "more a" "add a2"
old1=$(rev "$BR")
BR1=$BR WT1=$WT
commit_in . c.txt "from c" "main c"
main=$(rev main)
bgit rebase 1
ok "rebase #1"
same "rebased" "$(json result)" '"rebased"'
same "two commits" "$(json commits)" "2"
same "base is main" "$(json base)" "\"$main\""
same "main is the branch's new tip" "$(json main)" "\"$(rev "$BR1")\""
same "the branch sits on main" "$(rev "$BR1~2")" "$main"
same "main did not move" "$(rev main)" "$main"
same "the worktree is at the new tip" "$(git -C "$WT1" rev-parse HEAD)" \
    "$(rev "$BR1")"
same "the worktree is on the branch" \
    "$(git -C "$WT1" symbolic-ref HEAD)" "refs/heads/$BR1"
same "the worktree is clean" "$(git -C "$WT1" status --porcelain)" ""
same "the worktree has main's file" "$(cat "$WT1/c.txt")" "from c"
same "and its own" "$(cat "$WT1/a.txt")" "from a"
same "orig is the old tip" "$(rev refs/baton/orig/T1)" "$old1"
same "git cherry: the old commits are the new ones" \
    "$(git cherry "$BR1" "$old1" | cut -c1 | tr -d '\n')" "--"
same "nothing of #1 on main yet" \
    "$(git cherry main "$BR1" | cut -c1 | tr -d '\n')" "++"
same "the task keeps its branch" "$(field 1 branch)" "$BR1"
[ ! -e .baton/merge.pending ] && pass || fail "rebase left merge.pending"
fsck

# 2. A second rebase keeps the first orig; one with nothing to do changes
# nothing.
commit_in . d.txt "from d" "main d"
main=$(rev main)
bgit rebase 1
ok "rebase #1 again"
same "rebased again" "$(json result)" '"rebased"'
same "on the new main" "$(rev "$BR1~2")" "$main"
same "orig is still the first tip" "$(rev refs/baton/orig/T1)" "$old1"
contains "says orig was kept" "$(json steps)" "kept from an earlier rebase"
same "the worktree followed" "$(git -C "$WT1" rev-parse HEAD)" \
    "$(rev "$BR1")"
same "the worktree is clean" "$(git -C "$WT1" status --porcelain)" ""
tip1=$(rev "$BR1")
bgit rebase 1
ok "rebase #1 on main's tip"
same "rebased, nothing to do" "$(json result)" '"rebased"'
same "base is main" "$(json base)" "\"$main\""
same "main is the unchanged tip" "$(json main)" "\"$tip1\""
same "the branch did not move" "$(rev "$BR1")" "$tip1"

# 3. merge --expect-base: a stale base moves nothing; the tested one lands
# exactly what was tested, proved.
stale=$(rev main~1)
digest=$(db_digest)
before=$(state "$BR1" "$WT1")
bgit merge 1 --expect-base "$stale"
ok "merge #1 on a stale base"
same "moved" "$(json result)" '"moved"'
contains "says main moved" "$(json message)" "main moved since #1's tests ran"
same "nothing changed in git" "$(state "$BR1" "$WT1")" "$before"
same "nothing stored" "$(db_digest)" "$digest"
bgit merge 1 --expect-base nonsense
refused "a bad base" "not a full commit id: nonsense"
same "nothing changed" "$(state "$BR1" "$WT1")" "$before"
main_before=$(rev main)
bgit merge 1 --expect-base "$main_before" --expect-tip "$old1"
ok "merge #1 from a branch tip that was not tested"
same "moved: the branch" "$(json result)" '"moved"'
contains "says the branch moved" "$(json message)" "$BR1 moved since its tests ran"
same "nothing changed in git either" "$(state "$BR1" "$WT1")" "$before"
same "nothing stored either" "$(db_digest)" "$digest"
fork1=$(git merge-base "$old1" "$main_before")
bgit merge 1 --expect-base "$(echo "$main_before" | tr a-f A-F)" \
    --expect-tip "$(rev "$BR1")"
ok "merge #1 on the tested base"
same "merged" "$(json result)" '"merged"'
same "main is exactly what was tested" "$(rev main)" "$tip1"
same "the proof is in the answer" "$(json proof.ok)" "true"
run proof 1 --json
ok "proof 1 --json"
same "one proof" "$(json ' | length')" "1"
same "proved" "$(json '[0].ok')" "true"
same "main before" "$(json '[0].main_before')" "\"$main_before\""
same "main after" "$(json '[0].main_after')" "\"$tip1\""
same "the branch head" "$(json '[0].branch_head')" "\"$tip1\""
same "the orig" "$(json '[0].orig')" "\"$old1\""
n_orig=$(git rev-list --count "$fork1..$old1")
n_head=$(git rev-list --count "$main_before..$tip1")
same "every commit was checked" "$(json '[0].commits | length')" \
    "$((n_orig + n_head))"
same "the stored count too" \
    "$(q 'SELECT commits FROM merge_proofs WHERE task_id = 1')" \
    "$((n_orig + n_head))"
same "all matched on main" \
    "$(json '[0].commits | map(select(.in_main == null)) | length')" "0"
same "net diff present" "$(json '[0].net_diff')" '"present"'
same "nothing missing" "$(json '[0].missing')" "[]"
same "git cherry: every orig commit is on main" \
    "$(git cherry main "$old1" | cut -c1 | tr -d '\n')" "--"
clean_main "#1"
gone 1 "$BR1" "$WT1"
same "one row" "$(proofs 1)" "1"
run proof 1
ok "proof 1"
contains "says ok" "$OUT" ": ok"
contains "counts commits" "$OUT" "$((n_orig + n_head)) checked"
contains "net diff" "$OUT" "net diff: present"
fsck

# 4. A commit main already has (cherry-picked earlier) still proves ok.
task "write e"
commit_in "$WT" e.txt "from e" "add e"
orig2=$(rev "$BR")
commit_in . k.txt "from k" "main k"
git cherry-pick "$BR" >/dev/null 2>&1 || fail "cherry-pick"
picked=$(rev main)
bgit rebase 2
ok "rebase #2"
same "rebased" "$(json result)" '"rebased"'
same "nothing to land" "$(json commits)" "0"
same "orig kept" "$(rev refs/baton/orig/T2)" "$orig2"
bgit merge 2 --expect-base "$picked"
ok "merge #2"
same "merged" "$(json result)" '"merged"'
same "main unchanged" "$(rev main)" "$picked"
same "proved" "$(json proof.ok)" "true"
same "the commit is matched on main" "$(json 'proof.commits[0].in_main')" \
    "\"$picked\""
same "the change is there once" "$(git log --format=%s main | grep -c 'add e')" \
    "1"
gone 2 "$BR" "$WT"

# 5. The same change made on main with other context: not the same patch,
# but contained in main.
lines >f.txt
git add f.txt && git commit -qm "main f" || fail "commit f"
task "change line 3"
sed -i 's/^line 3$/line three/' "$WT/f.txt"
git -C "$WT" commit -qam "line three" || fail "commit three"
sed -i -e 's/^line 3$/line three/' -e 's/^line 8$/line eight/' f.txt
git commit -qam "lines three and eight" || fail "commit eight"
run merge 3 --json
ok "merge #3"
same "merged" "$(json result)" '"merged"'
same "contained" "$(json 'proof.commits[0].in_main')" '"contained"'
same "proved" "$(json proof.ok)" "true"
same "#3 is done" "$(field 3 state)" "done"

# 6. Two tasks edit one file in different places: both land, both changes
# on main, proved, also where main's change sits inside the other's context.
lines >g.txt
git add g.txt && git commit -qm "main g" || fail "commit g"
task "edit line 2"
BR4=$BR WT4=$WT
task "edit line 5"
BR5=$BR WT5=$WT
sed -i 's/^line 2$/line two/' "$WT4/g.txt"
git -C "$WT4" commit -qam "line two" || fail "commit 4"
sed -i 's/^line 5$/line five/' "$WT5/g.txt"
git -C "$WT5" commit -qam "line five" || fail "commit 5"
run merge 4
ok "merge #4"
run merge 5 --json
ok "merge #5 after #4 changed the same file"
same "merged" "$(json result)" '"merged"'
same "proved" "$(json proof.ok)" "true"
same "net diff present" "$(json proof.net_diff)" '"present"'
same "both changes on main" "$(grep -c -e 'line two' -e 'line five' g.txt)" \
    "2"
same "the file is otherwise as it was" "$(grep -c '^line [0-9]$' g.txt)" "7"
clean_main "#5"
gone 5 "$BR5" "$WT5"
fsck

# 7. Two tasks change the same line: the first lands, the second conflicts
# on rebase and on merge, its branch and worktree exactly as they were.
task "line 7 is seven"
BR6=$BR WT6=$WT
task "line 7 is SEVEN"
BR7=$BR WT7=$WT
sed -i 's/^line 7$/seven/' "$WT6/g.txt"
git -C "$WT6" commit -qam "seven" || fail "commit 6"
sed -i 's/^line 7$/SEVEN/' "$WT7/g.txt"
git -C "$WT7" commit -qam "SEVEN" || fail "commit 7"
bgit rebase 6
ok "rebase #6"
bgit merge 6 --expect-base "$(rev main)"
same "#6 merged" "$(json result)" '"merged"'
before=$(state "$BR7" "$WT7")
bgit rebase 7
ok "rebase #7 runs"
same "conflict" "$(json result)" '"conflict"'
same "the file is named" "$(json files)" '["g.txt"]'
same "no new tip" "$(json main)" "null"
same "branch, worktree and refs exactly as before" "$(state "$BR7" "$WT7")" \
    "$before"
same "no orig ref" "$(rev refs/baton/orig/T7)" "none"
run merge 7
refused "merge #7 conflicts too" "conflict: #7's branch does not apply"
same "still as before" "$(state "$BR7" "$WT7")" "$before"
same "main has #6's line" "$(grep -c '^seven$' g.txt)" "1"
same "and not #7's" "$(grep -c 'SEVEN' g.txt)" "0"
same "no conflict markers" "$(grep -c '^[<=>]\{7\}' g.txt)" "0"
same "#7's branch keeps its line" "$(git show "$BR7:g.txt" | grep -c SEVEN)" \
    "1"
same "#7 has no proof" "$(proofs 7)" "0"

# 8. A rebase refuses a dirty worktree and an empty branch.
task "dirty"
commit_in "$WT" h.txt "from h" "add h"
commit_in . i.txt "from i" "main i"
echo "not committed" >"$WT/u.txt"
before=$(state "$BR" "$WT")
bgit rebase $N
same "dirty" "$(json result)" '"dirty"'
same "the file is named" "$(json files)" '["u.txt"]'
same "nothing moved" "$(state "$BR" "$WT")" "$before"
same "no orig ref" "$(rev "refs/baton/orig/T$N")" "none"
same "the uncommitted file is kept" "$(cat "$WT/u.txt")" "not committed"
task "detached"
commit_in "$WT" w.txt "from w" "add w"
git -C "$WT" checkout -q --detach || fail "detach"
before=$(state "$BR" "$WT")
bgit rebase $N
refused "a worktree off its branch" "is not on its branch $BR; nothing was"
same "nothing moved" "$(state "$BR" "$WT")" "$before"
same "no orig ref" "$(rev "refs/baton/orig/T$N")" "none"
task "nothing"
bgit rebase $N
same "empty" "$(json result)" '"empty"'
contains "says why" "$(json message)" "nothing to rebase"
same "no orig ref" "$(rev "refs/baton/orig/T$N")" "none"

# 8b. A rebase killed after it moved the branch, before the worktree
# followed: run again, it finishes the checkout, unless the worktree has
# work of its own.
rebased_tip() {	# rebased_tip BRANCH FILE: BRANCH's FILE added on main
	GIT_INDEX_FILE="$TEST_TMP/index" git read-tree main &&
	GIT_INDEX_FILE="$TEST_TMP/index" git update-index --add --cacheinfo \
	    "100644,$(git rev-parse "$1:$2"),$2" &&
	git commit-tree "$(GIT_INDEX_FILE="$TEST_TMP/index" git write-tree)" \
	    -p main -m "add $2"
	rm -f "$TEST_TMP/index"
}
task "write o"
commit_in "$WT" o.txt "from o" "add o"
commit_in . p.txt "from p" "main p"
old=$(rev "$BR")
new=$(rebased_tip "$BR" o.txt)
git update-ref "refs/baton/orig/T$N" "$old"
git update-ref -m "baton rebase: onto main" "refs/heads/$BR" "$new" "$old"
[ -n "$(git -C "$WT" status --porcelain)" ] && pass ||
    fail "the interrupted worktree should look changed"
bgit rebase $N
ok "rebase #$N again"
same "rebased" "$(json result)" '"rebased"'
contains "says it finished" "$(json steps)" "finished an interrupted update"
same "the worktree is at the new tip" "$(git -C "$WT" rev-parse HEAD)" "$new"
same "the worktree is clean" "$(git -C "$WT" status --porcelain)" ""
same "main's file is there" "$(cat "$WT/p.txt")" "from p"
same "orig kept" "$(rev "refs/baton/orig/T$N")" "$old"
task "write q"
commit_in "$WT" q.txt "from q" "add q"
commit_in . r.txt "from r" "main r"
old=$(rev "$BR")
new=$(rebased_tip "$BR" q.txt)
git update-ref -m "baton rebase: onto main" "refs/heads/$BR" "$new" "$old"
echo "mine" >>"$WT/q.txt"
bgit rebase $N
same "own work: dirty" "$(json result)" '"dirty"'
same "the branch stays" "$(rev "$BR")" "$new"
same "the edit is kept" "$(tail -n 1 "$WT/q.txt")" "mine"

# 9. A merge killed after main moved, before its proof: run again, it
# proves, records one proof and cleans up.
task "write j"
commit_in "$WT" j.txt "from j" "add j"
tip=$(rev "$BR")
before=$(rev main)
git -C "$WT" rebase -q main || fail "rebase j"
tip=$(rev "$BR")
git update-ref refs/heads/main "$tip" "$before"
printf 'task %s\nbranch refs/heads/%s\ntip %s\nbase %s\ncommits 1\nhead %s\n' \
    "$N" "$BR" "$tip" "$before" "$tip" >.baton/merge.pending
run merge $N --json
ok "merge #$N again"
same "merged" "$(json result)" '"merged"'
same "proved" "$(json proof.ok)" "true"
same "proved against the main before" "$(json proof.main_before)" \
    "\"$before\""
same "one proof" "$(proofs $N)" "1"
same "j.txt in the checkout" "$(cat j.txt)" "from j"
clean_main "#$N"
gone $N "$BR" "$WT"
[ ! -e .baton/merge.pending ] && pass || fail "merge.pending left behind"

# 10. Killed after the proof was recorded, before the cleanup: the proof is
# not recorded twice.
task "write l"
commit_in "$WT" l.txt "from l" "add l"
git -C "$WT" rebase -q main || fail "rebase l"
tip=$(rev "$BR")
before=$(rev main)
git update-ref refs/heads/main "$tip" "$before"
printf 'task %s\nbranch refs/heads/%s\ntip %s\nbase %s\ncommits 1\nhead %s\n' \
    "$N" "$BR" "$tip" "$before" "$tip" >.baton/merge.pending
q "INSERT INTO merge_proofs (task_id, at, ok, main_before, main_after,
    branch_head, commits, proof) VALUES ($N, 1, 1, '$before', '$tip',
    '$tip', 1, '{\"task\":$N,\"ok\":true,\"net_diff\":\"present\"}')"
run merge $N --json
ok "merge #$N again"
same "merged" "$(json result)" '"merged"'
contains "uses the recorded proof" "$(json steps)" "proved already"
same "still one proof" "$(proofs $N)" "1"
gone $N "$BR" "$WT"

# 11. Unproven: the orig ref holds a commit main never got. Main lands the
# branch, but the worktree, branch and orig ref are kept.
git branch side main~1
commit_in . m.txt "from m" "main m"
git checkout -q side
commit_in . s.txt "from side" "side work"
side=$(rev HEAD)
git checkout -q main
task "write n"
commit_in "$WT" n.txt "from n" "add n"
git update-ref "refs/baton/orig/T$N" "$side"
tip=$(rev "$BR")
run merge $N --json
same "unproven exits 1" "$RC" "1"
same "unproven" "$(json result)" '"unproven"'
contains "says what is missing" "$ERR" "side work"
contains "says what was kept" "$ERR" "worktree, branch and refs/baton/orig/T$N were kept"
same "not proved" "$(json proof.ok)" "false"
same "the missing commit" "$(json 'proof.missing[0].oid')" "\"$side\""
same "main has the branch's own work" "$(git show main:n.txt)" "from n"
[ -d "$WT" ] && pass || fail "unproven merge removed the worktree"
[ "$(rev "refs/heads/$BR")" != none ] && pass ||
    fail "unproven merge removed the branch"
same "orig kept" "$(rev "refs/baton/orig/T$N")" "$side"
same "one proof, not ok" \
    "$(q "SELECT count(*), sum(ok) FROM merge_proofs WHERE task_id = $N")" \
    "1|0"
same "#$N is not done" "$(field $N state)" "backlog"
contains "#$N's reason says why" "$(field $N reason)" "proof failed"
run proof $N
ok "proof $N"
contains "not proved" "$OUT" "NOT PROVED"
contains "names the missing commit" "$OUT" \
    "missing:  $(git rev-parse --short=12 "$side") side work"
run merge $N --json
same "again: unproven" "$(json result)" '"unproven"'
same "still one proof" "$(proofs $N)" "1"
git branch -D side >/dev/null || fail "delete side"
fsck

# 11b. The branch's net change is not on main: a journal naming a head
# main never got (as a landing that lost work would look).
task "write t"
commit_in "$WT" t.txt "from t" "add t"
lost_landing lost.txt 'lost\n' "add lost"
run merge $N --json
same "unproven" "$(json result)" '"unproven"'
same "the net change is missing" "$(json proof.net_diff)" \
    '"missing: lost.txt"'
same "its commit is missing" "$(json 'proof.missing[0].summary')" \
    '"add lost"'
contains "says so" "$ERR" "the net change is missing from lost.txt"
[ -d "$WT" ] && pass || fail "unproven merge removed the worktree"
same "one proof, not ok" \
    "$(q "SELECT count(*), sum(ok) FROM merge_proofs WHERE task_id = $N")" \
    "1|0"

# 11c. A deletion main never got: the net change removes a line that main
# still has. Without context a hunk that only adds lines applies anywhere,
# so this must be caught with context, and is.
printf 'alpha\nbeta\ngamma\ndelta\n' >x.txt
git add x.txt && git commit -qm "add x" || fail "commit x"
task "trim x"
commit_in "$WT" u.txt "from u" "add u"
lost_landing x.txt 'alpha\ngamma\ndelta\n' "drop beta"
run merge $N --json
same "a lost deletion is unproven" "$(json result)" '"unproven"'
same "the deletion is missing" "$(json proof.net_diff)" '"missing: x.txt"'
same "main still has the line" "$(git show main:x.txt | grep -c beta)" "1"

# 12. Bad input.
bgit rebase 99
refused "rebase: no such task" "no task #99"
bgit rebase 1
refused "rebase: no branch" "#1 has no branch: nothing to rebase"
bgit merge 99 --expect-base "$(rev main)"
refused "merge: no such task" "no task #99"
bgit rebase 1 --expect-base "$(rev main)"
same "rebase takes no base: usage" "$RC" "2"
run proof 99
refused "proof: no such task" "no task #99"
run proof x
same "proof: not an id" "$RC" "2"
run proof
same "proof: no id" "$RC" "2"
run proof 10 --json
ok "proof of a task with none"
same "an empty array" "$OUT" "[]"
task "never landed"
run proof $N
ok "proof without proofs"
contains "says so" "$OUT" "has no recorded proofs"

clean_main "end"
same "main is linear" "$(git rev-list --merges main)" ""
fsck
finish
