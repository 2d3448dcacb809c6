#!/bin/sh
# Task worktrees in real git repositories, checked with the git CLI: agents
# working in parallel never clobber each other, every healing case, removal
# that never loses work, and safe slugs for hostile titles.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || { echo "tmux is needed"; exit 1; }
command -v jq >/dev/null || { echo "jq is needed"; exit 1; }
new_repo
FIRST=$REPO
run init

teardown() {
	[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
	"$BATON" -C "$FIRST" tmux kill-server >/dev/null 2>&1
	cleanup
}
trap teardown EXIT

field() {	# field N FIELD: a task's field from show --json
	"$BATON" show "$1" --json | jq -r ".$2"
}
old() {		# old FILE: make FILE ten minutes old
	touch -d "@$(($(date +%s) - 600))" "$1"
}
# 1. Hostile titles: safe slugs, valid branches, nothing run.
run add "Fix \"the\" parser; \$(touch should-not-exist) \`touch should-not-exist\` && rm -rf ~"
run add "line one
line two"
run add "$(printf 'caf\303\251 \377\376 ok')"
run add '!!! ???'
run add "placeholder for a long title"
sqlite3 .baton/baton.db "UPDATE tasks SET title = '\$(x)' ||
    replace(hex(zeroblob(500000)), '00', 'Ab') WHERE id = 5"
for n in 1 2 3 4 5; do
	run worktree add $n --json
	ok "worktree add $n"
	branch=$(printf '%s' "$OUT" | jq -r .branch)
	path=$(printf '%s' "$OUT" | jq -r .worktree)
	git check-ref-format "refs/heads/$branch" && pass ||
	    fail "#$n: bad branch name: $branch"
	case $branch in
	baton/T$n-*[!a-z0-9-]*) fail "#$n: unsafe branch: $branch" ;;
	baton/T$n-[a-z0-9]*[a-z0-9]|baton/T$n-[a-z0-9]) pass ;;
	*) fail "#$n: unexpected branch: $branch" ;;
	esac
	slug=${branch#baton/T$n-}
	[ ${#slug} -le 40 ] && pass || fail "#$n: slug too long: $slug"
	same "#$n: path follows the branch" "$path" \
	    "$REPO/.baton/worktrees/${branch#baton/}"
	same "#$n: worktree has main's files" "$(cat "$path/README")" "hello"
done
same "quotes and \$(...) dropped, cut at 40" "$(field 1 branch)" \
    "baton/T1-fix-the-parser-touch-should-not-exist-to"
same "newlines dropped" "$(field 2 branch)" "baton/T2-line-one-line-two"
same "invalid UTF-8 dropped" "$(field 3 branch)" "baton/T3-caf-ok"
same "nothing left: task" "$(field 4 branch)" "baton/T4-task"
same "1 MB title cut to 40" "$(field 5 branch)" \
    "baton/T5-x-$(printf 'ab%.0s' $(seq 19))"
[ ! -e should-not-exist ] && [ ! -e "$(field 1 worktree)/should-not-exist" ] &&
    pass || fail "a title was run by a shell"
same "main has no new commits" "$(git rev-list --count main)" "1"
same "six worktrees listed" "$(git worktree list | wc -l)" "6"

# 2. Agents in parallel, each committing in its own worktree.
for f in a b c; do
	run add "write $f"
done
for n in 6 7 8; do
	f=$(printf '%s' "$n" | tr 678 abc)
	"$BATON" start $n -- sh -c "echo $f > $f.txt && git add $f.txt &&
	    git commit -qm 'add $f'" >"$TEST_TMP/start$n" 2>&1 &
done
wait
for n in 6 7 8; do
	grep -q "^started run" "$TEST_TMP/start$n" && pass ||
	    fail "start $n: $(cat "$TEST_TMP/start$n")"
done
for r in 1 2 3; do
	wait_exit $r
	same "run $r's agent committed" "$(cat .baton/runs/$r/exit)" "exited 0"
done
for n in 6 7 8; do
	f=$(printf '%s' "$n" | tr 678 abc)
	branch=$(field $n branch)
	path=$(field $n worktree)
	same "#$n's branch has its one commit" \
	    "$(git log --format=%s main.."$branch")" "add $f"
	same "#$n's commit holds only its file" \
	    "$(git show --format= --name-only "$branch")" "$f.txt"
	same "#$n's worktree is clean" "$(git -C "$path" status --porcelain)" ""
	same "#$n's worktree is on its branch" \
	    "$(git -C "$path" symbolic-ref --short HEAD)" "$branch"
done
same "main untouched" "$(git log --format=%s main)" "first"
same "main's work tree clean" "$(git status --porcelain)" ""
same "nine worktrees listed" "$(git worktree list | wc -l)" "9"
git fsck --no-progress >"$TEST_TMP/fsck" 2>&1 && pass ||
    fail "git fsck: $(cat "$TEST_TMP/fsck")"

# 3. Healing.
# 3a. Stale lock files that no process holds are removed.
run add "heal locks"		# 9
echo stale >.git/index.lock
old .git/index.lock
mkdir -p .git/refs/heads/baton
echo stale >.git/refs/heads/baton/T9-heal-locks.lock
old .git/refs/heads/baton/T9-heal-locks.lock
run worktree add 9
ok "worktree add with stale locks"
contains "says the index lock was stale" "$OUT" \
    "removed stale lock $REPO/.git/index.lock"
contains "says the ref lock was stale" "$OUT" \
    "removed stale lock $REPO/.git/refs/heads/baton/T9-heal-locks.lock"
[ ! -e .git/index.lock ] && pass || fail "index.lock left"
git add README && pass || fail "git add in main after healing"
same "branch made despite its old lock" "$(field 9 branch)" \
    "baton/T9-heal-locks"
# 3b. A recent lock, or an old one a live process has open, is left alone.
run add "busy locks"		# 10
echo busy >.git/index.lock
( exec 3>>.git/packed-refs.lock; exec sleep 60 ) &
HOLDER=$!
sleep 0.3
old .git/packed-refs.lock
run worktree add 10
contains "a recent lock is left" "$OUT" \
    "left lock $REPO/.git/index.lock alone: only"
contains "a held lock is left" "$OUT" \
    "left lock $REPO/.git/packed-refs.lock alone: a process has it open"
[ -e .git/index.lock ] && pass || fail "a recent lock was removed"
[ -e .git/packed-refs.lock ] && pass || fail "a held lock was removed"
kill "$HOLDER"
HOLDER=
wait 2>/dev/null
rm -f .git/index.lock .git/packed-refs.lock
# 3c. Metadata of a worktree whose directory is gone is pruned, by start.
path=$(field 6 worktree)
rm -rf "$path"
contains "git sees it prunable" "$(git worktree list --porcelain)" "prunable"
run start 6 -- sh -c 'test -f a.txt'
ok "start after the worktree was deleted"
contains "start says it pruned" "$ERR" \
    "pruned worktree metadata T6-write-a: its directory $path is gone"
contains "start kept the branch's commit" "$ERR" \
    "kept branch baton/T6-write-a from an earlier attempt: it has 1 commit"
wait_exit 4
same "the agent found its committed file" "$(cat .baton/runs/4/exit)" \
    "exited 0"
case $(git worktree list --porcelain) in
*prunable*) fail "still prunable after healing" ;;
*) pass ;;
esac
# 3d. A leftover branch with commits of its own is kept and reused.
run add "keep me"		# 11
git checkout -q -b baton/T11-keep-me
echo kept >kept.txt
git add kept.txt
git commit -qm "earlier attempt"
git checkout -q main
tip=$(git rev-parse baton/T11-keep-me)
run worktree add 11
ok "worktree add with a leftover branch"
contains "says it kept the branch" "$OUT" "kept branch baton/T11-keep-me"
same "branch unchanged" "$(git rev-parse baton/T11-keep-me)" "$tip"
same "worktree has the earlier work" "$(cat "$(field 11 worktree)/kept.txt")" \
    "kept"
# 3e. A leftover branch with nothing of its own is reset to main.
run add "reset me"		# 12
git branch baton/T12-reset-me main
git commit -qm "main moves on" --allow-empty
run worktree add 12
ok "worktree add with a stale branch"
contains "says it reset the branch" "$OUT" "reset branch baton/T12-reset-me"
same "branch at main" "$(git rev-parse baton/T12-reset-me)" \
    "$(git rev-parse main)"
# 3f. A directory that is not a registered worktree is moved aside.
run add "orphan"		# 13
mkdir -p .baton/worktrees/T13-orphan
echo precious >.baton/worktrees/T13-orphan/notes.txt
run worktree add 13
ok "worktree add over an unregistered directory"
contains "says it moved it" "$OUT" "moved $REPO/.baton/worktrees/T13-orphan to"
same "the new one is registered" \
    "$(git worktree list --porcelain | grep -c "^worktree $REPO/.baton/worktrees/T13-orphan$")" "1"
same "the old files are kept" \
    "$(cat .baton/worktrees/T13-orphan.orphan-*/notes.txt)" "precious"
[ ! -e .baton/worktrees/T13-orphan/notes.txt ] && pass ||
    fail "the old files are in the new worktree"
# 3g. Asking again reuses it, without touching anything, even after the
# title changed.
run edit 13 --title "A new title"
run worktree add 13
contains "reused" "$OUT" "reused worktree $REPO/.baton/worktrees/T13-orphan"
same "same branch after a new title" "$(field 13 branch)" "baton/T13-orphan"

# 4. Removal never loses work.
run add "remove me"		# 14
run worktree add 14
path=$(field 14 worktree)
echo changed >>"$path/README"
run worktree rm 14
same "uncommitted change: exit 3" "$RC" "3"
contains "says why" "$ERR" "worktree kept: 1 uncommitted change in $path"
contains "the task says why" "$(field 14 reason)" "uncommitted change"
same "changed file kept" "$(tail -n 1 "$path/README")" "changed"
git -C "$path" checkout -q README
echo new >"$path/untracked.txt"
run worktree rm 14
same "untracked file: exit 3" "$RC" "3"
[ -f "$path/untracked.txt" ] && pass || fail "untracked file lost"
git -C "$path" add untracked.txt
git -C "$path" commit -qm "work"
run worktree rm 14
same "unmerged commit: exit 3" "$RC" "3"
contains "says the branch has work" "$ERR" \
    "branch baton/T14-remove-me has 1 commit not in main"
git rev-parse -q --verify baton/T14-remove-me >/dev/null && pass ||
    fail "branch with work deleted"
[ -d "$path" ] && pass || fail "worktree with work deleted"
# A HEAD moved off the branch counts too.
git -C "$path" checkout -q --detach
echo more >"$path/more.txt"
git -C "$path" add more.txt
git -C "$path" commit -qm "detached work"
git merge -q baton/T14-remove-me
run worktree rm 14
same "detached commit: exit 3" "$RC" "3"
contains "says HEAD has work" "$ERR" "the HEAD of $path has 1 commit not in main"
git -C "$path" checkout -q baton/T14-remove-me
git merge -q "$(git -C "$path" rev-parse HEAD@{1})"
run worktree rm 14 --json
ok "merged work: removed"
same "result" "$(printf '%s' "$OUT" | jq -r .result)" "removed"
[ ! -e "$path" ] && pass || fail "worktree directory left"
git rev-parse -q --verify baton/T14-remove-me >/dev/null &&
    fail "branch left" || pass
git reflog exists refs/heads/baton/T14-remove-me &&
    fail "branch's reflog left" || pass
case $(git worktree list) in
*T14-remove-me*) fail "worktree still registered" ;;
*) pass ;;
esac
same "task forgets its worktree" "$(field 14 worktree)" "null"
same "task forgets its branch" "$(field 14 branch)" "null"
same "task's kept reason cleared" "$(field 14 reason)" "null"
# A branch with work whose directory is gone: the branch is kept.
rm -rf "$(field 6 worktree)"
run worktree rm 6
same "worktree of a branch with work: exit 3" "$RC" "3"
git rev-parse -q --verify baton/T6-write-a >/dev/null && pass ||
    fail "branch with work deleted"
# Not while an agent works in it.
run add "busy agent"		# 15
run start 15 -- sleep 1000
ok "start a long agent"
run worktree rm 15
same "live run: exit 3" "$RC" "3"
contains "says a run is live" "$ERR" "run 5 is still running in it"
[ -d "$(field 15 worktree)" ] && pass || fail "a live run's worktree removed"
run stop 15
run worktree rm 15
ok "removed once the agent stopped"
# A clean worktree at main is removed, and removing again is harmless.
run worktree rm 12
ok "clean worktree removed"
run worktree rm 12
ok "removing twice"
contains "says there is nothing" "$OUT" "has no worktree or branch"
git fsck --no-progress >"$TEST_TMP/fsck" 2>&1 && pass ||
    fail "git fsck at the end: $(cat "$TEST_TMP/fsck")"

# 5. No main branch and a detached HEAD: refused, with a reason.
new_repo other
git checkout -q --detach
git branch -q -D main
"$BATON" init >/dev/null
run add "nowhere"
run worktree add 1
refused "no main branch" "no main or master branch"
git checkout -q -b trunk
run worktree add 1
ok "HEAD's branch is main when there is no main or master"
same "made from trunk" "$(git rev-parse "$(field 1 branch)")" \
    "$(git rev-parse trunk)"

finish
