#!/bin/sh
# Sprints: one open at a time, tasks join the open one, unfinished work
# carries over into the next.
. "$(dirname "$0")/lib.sh"

new_repo
run init
run add "before any sprint"
run sprint close
refused "close with none open" "no sprint is open"

run sprint new "Sprint 1"
ok "sprint new"
same "sprint new message" "$OUT" "opened sprint 1: Sprint 1"
run add "in sprint one"
run show 2 --json
same "a new task joins the open sprint" "$(printf '%s' "$OUT" | jq .sprint)" "1"
run show 1 --json
same "earlier tasks carry into the sprint" "$(printf '%s' "$OUT" | jq .sprint)" "1"
run sprint new "Sprint 2"
refused "second open sprint" "sprint 'Sprint 1' is still open"
run sprint new ""
same "empty sprint name exits 2" "$RC" "2"

run edit 2 --state done
run sprint close
ok "sprint close"
run ls --json
same "with no sprint open, ls shows tasks in none" "$(printf '%s' "$OUT" | jq length)" "0"
run add "between sprints"
run sprint new "Sprint 2"
ok "second sprint"
run ls --json
same "unfinished tasks carried over, done ones stayed" \
    "$(printf '%s' "$OUT" | jq -c 'map(.id)')" "[1,3]"
run ls --all --json
same "ls --all" "$(printf '%s' "$OUT" | jq -c 'map([.id, .sprint])')" \
    "[[1,2],[2,1],[3,2]]"
run sprint ls --json
same "sprint ls --json" "$(printf '%s' "$OUT" | jq -c 'map({id, name, open, tasks, done})')" \
    '[{"id":1,"name":"Sprint 1","open":false,"tasks":1,"done":1},{"id":2,"name":"Sprint 2","open":true,"tasks":2,"done":0}]'
[ "$(printf '%s' "$OUT" | jq '.[0].closed_at != null and .[1].closed_at == null')" = true ] &&
    pass || fail "closed_at set only on the closed sprint"
run sprint ls
contains "sprint ls text" "$OUT" "open"

finish
