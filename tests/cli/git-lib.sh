# Shared by the tests of the merge queue's git side: tasks with worktrees,
# commits in them, and checks of the result with the git CLI. Source after
# lib.sh; needs jq.

command -v jq >/dev/null || { echo "jq is needed"; exit 1; }

NEXT=0
task() {	# task TITLE: a task and its worktree; sets N, BR and WT
	NEXT=$((NEXT + 1))
	N=$NEXT
	"$BATON" add "$1" >/dev/null || fail "add $1"
	out=$("$BATON" worktree add $N --json) || fail "worktree add $N"
	BR=$(printf '%s' "$out" | jq -r .branch)
	WT=$(printf '%s' "$out" | jq -r .worktree)
}
commit_in() {	# commit_in DIR FILE TEXT MESSAGE
	printf '%s\n' "$3" >"$1/$2"
	git -C "$1" add "$2" && git -C "$1" commit -qm "$4" ||
	    fail "commit $4 in $1"
}
field() {	# field N FIELD: a task's field from show --json
	"$BATON" show "$1" --json | jq -r ".$2"
}
json() {	# json FIELD: a field of the last run's output
	printf '%s' "$OUT" | jq -c ".$1"
}
fsck() {
	git fsck --strict --no-progress >"$TEST_TMP/fsck" 2>&1 && pass ||
	    fail "git fsck: $(cat "$TEST_TMP/fsck")"
}
clean_main() {	# clean_main WHAT: main's checkout is clean and on main's tip
	same "$1: main's checkout is clean" "$(git status --porcelain)" ""
	same "$1: HEAD is main's tip" "$(git rev-parse HEAD)" \
	    "$(git rev-parse main)"
}
