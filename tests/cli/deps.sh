#!/bin/sh
# blocked_by edges: add, remove, and every edge that must be refused.
. "$(dirname "$0")/lib.sh"

new_repo
run init
for i in 1 2 3 4 5 6 7; do run add "task $i"; done

run dep add 7 4
ok "dep add"
same "dep add message" "$OUT" "#7 now waits on #4"
run show 7 --json
same "edge stored" "$(printf '%s' "$OUT" | jq -c .blocked_by)" "[4]"

before=$(db_digest)
run dep add 4 7
refused "two-task cycle" "#4 → #7 → #4"
same "the refused cycle wrote nothing" "$(db_digest)" "$before"
run dep add 3 2
ok "chain 3 on 2"
run dep add 2 1
ok "chain 2 on 1"
before=$(db_digest)
run dep add 1 3
refused "three-task cycle" "#1 → #3 → #2 → #1"
run dep add 4 4
refused "self edge" "cannot wait on itself"
run dep add 7 4
refused "duplicate edge" "#7 already waits on #4"
run dep add 7 99
refused "unknown blocker" "no task #99"
run dep add 99 7
refused "unknown task" "no task #99"
run dep add 7 x
refused "bad id" "not a task id"
run dep add 7
same "missing argument exits 2" "$RC" "2"
run dep rm 7 1
refused "removing an edge that is not there" "#7 is not blocked by #1"
run dep
same "dep alone lists its subcommands" "$RC" "2"
contains "dep alone names dep add" "$ERR" "usage: baton dep add N M"
run dep --help
same "dep --help succeeds" "$RC" "0"
contains "dep --help lists dep rm" "$OUT" "usage: baton dep rm N M"
same "refused edges wrote nothing" "$(db_digest)" "$before"

# A longer path: the message names the whole loop.
run dep add 5 3
run dep add 6 5
run dep add 1 6
refused "long cycle" "#1 → #6 → #5 → #3 → #2 → #1"

run dep rm 7 4
ok "dep rm"
run show 7 --json
same "edge removed" "$(printf '%s' "$OUT" | jq -c .blocked_by)" "[]"
run dep add 4 7
ok "the reverse edge is fine once the loop is gone"

# The graph as stored has no loop whatever was tried.
loops=$(sqlite3 .baton/baton.db "WITH RECURSIVE r(a, b) AS (SELECT task_id, blocker_id FROM task_deps UNION SELECT r.a, d.blocker_id FROM r JOIN task_deps d ON d.task_id = r.b) SELECT count(*) FROM r WHERE a = b")
same "no task reaches itself" "$loops" "0"

finish
