#!/bin/sh
# Several baton processes on one repository at once: every write lands once,
# the database stays whole, and racing edges never close a loop.
. "$(dirname "$0")/lib.sh"

new_repo
run init

# Four writers adding 40 tasks each, with readers listing meanwhile.
for w in 1 2 3 4; do
	(
		i=1
		while [ $i -le 40 ]; do
			"$BATON" add "writer $w task $i" >/dev/null 2>>"$TEST_TMP/errors" ||
			    echo "writer $w task $i failed" >>"$TEST_TMP/errors"
			i=$((i + 1))
		done
	) &
done
(
	i=0
	while [ $i -lt 40 ]; do
		"$BATON" ls --all --json >/dev/null 2>>"$TEST_TMP/errors" ||
		    echo "reader failed" >>"$TEST_TMP/errors"
		i=$((i + 1))
	done
) &
wait
same "no process failed" "$(cat "$TEST_TMP/errors" 2>/dev/null)" ""
run ls --all --json
same "every task landed once" "$(printf '%s' "$OUT" | jq length)" "160"
same "ids are unique" "$(printf '%s' "$OUT" | jq '[.[].id] | unique | length')" "160"
same "titles are unique" "$(printf '%s' "$OUT" | jq '[.[].title] | unique | length')" "160"
same "integrity" "$(sqlite3 .baton/baton.db 'PRAGMA integrity_check')" "ok"

# Pairs of processes race to add opposite edges: at most one may win.
pair=1
while [ $pair -le 40 ]; do
	a=$((pair * 2 - 1))
	b=$((pair * 2))
	"$BATON" dep add $a $b >/dev/null 2>&1 &
	"$BATON" dep add $b $a >/dev/null 2>&1 &
	pair=$((pair + 1))
done
wait
both=$(sqlite3 .baton/baton.db "SELECT count(*) FROM task_deps d JOIN task_deps e ON d.task_id = e.blocker_id AND d.blocker_id = e.task_id")
same "no racing pair closed a loop" "$both" "0"
one=$(sqlite3 .baton/baton.db "SELECT count(*) FROM task_deps")
same "one edge of each pair landed" "$one" "40"

finish
