#!/bin/sh
# plan import: a JSON decomposition becomes subtasks and edges in one
# transaction; a bad plan is refused whole.
. "$(dirname "$0")/lib.sh"

new_repo
run init
run add "Ship search"

cat >plan.json <<'JSON'
[
  {"title": "Design the index", "role": "architect", "body": "Pick a format."},
  {"title": "Build the index", "blocked_by": [0]},
  {"title": "Query parser", "role": "worker"},
  {"title": "Wire it up", "blocked_by": [1, 2], "extra": "ignored"},
  {"title": "Review", "role": "reviewer", "blocked_by": [3], "body": null}
]
JSON
run plan import plan.json --parent 1 --json
ok "plan import"
same "subtasks" "$(printf '%s' "$OUT" | jq -c 'map([.id, .title, .role, .parent, .blocked_by])')" \
    '[[2,"Design the index","architect",1,[]],[3,"Build the index","worker",1,[2]],[4,"Query parser","worker",1,[]],[5,"Wire it up","worker",1,[3,4]],[6,"Review","reviewer",1,[5]]]'
run show 2 --json
same "body kept" "$(printf '%s' "$OUT" | jq -r .body)" "Pick a format."
run ready --json
same "ready after the plan" "$(printf '%s' "$OUT" | jq -c 'map(.id)')" "[1,2,4]"
run show 1 --json
same "parent lists its subtasks" "$(printf '%s' "$OUT" | jq -c .subtasks)" "[2,3,4,5,6]"

run plan import plan.json --title "New parent" --json
ok "plan import --title"
same "a new parent was made" "$(printf '%s' "$OUT" | jq -c '[.[0].parent, .[0].id]')" "[7,8]"

before=$(db_digest)
check_bad() {
	printf '%s' "$2" >bad.json
	run plan import bad.json --parent 1
	refused "$1" "$3"
}
check_bad "malformed JSON" '[{"title": "a"},
  {"title": }]' "malformed JSON at line 2"
check_bad "text after the JSON" '[{"title": "a"}] [' "malformed JSON at line 1, column 18"
check_bad "not an array" '{"title": "a"}' "JSON array"
check_bad "empty plan" '[]' "no subtasks"
check_bad "missing title" '[{"role": "worker"}]' "subtask 0 needs a \"title\""
check_bad "empty title" '[{"title": " "}]' "subtask 0 needs a \"title\""
check_bad "bad role" '[{"title": "a", "role": "x y"}]' "bad \"role\""
check_bad "body not a string" '[{"title": "a", "body": 3}]' "\"body\" must be a string"
check_bad "index out of range" '[{"title": "a", "blocked_by": [1]}]' "not an index from 0 to 0"
check_bad "fractional index" '[{"title": "a"}, {"title": "b", "blocked_by": [0.5]}]' "not an index"
check_bad "negative index" '[{"title": "a"}, {"title": "b", "blocked_by": [-1]}]' "not an index"
check_bad "blocked_by not an array" '[{"title": "a", "blocked_by": 0}]' "must be an array"
check_bad "self edge" '[{"title": "a"}, {"title": "b", "blocked_by": [1]}]' "subtask 1 waits on itself"
check_bad "duplicate edge" '[{"title": "a"}, {"title": "b", "blocked_by": [0, 0]}]' "twice"
check_bad "cycle" '[{"title": "a", "blocked_by": [2]}, {"title": "b", "blocked_by": [0]}, {"title": "c", "blocked_by": [1]}]' "subtasks form a cycle: 0 → 2 → 1 → 0"
run plan import plan.json
same "no parent given exits 2" "$RC" "2"
run plan import plan.json --parent 1 --title x
same "both parents given exits 2" "$RC" "2"
run plan import plan.json --parent 99
refused "unknown parent" "no task #99"
same "refused plans wrote nothing" "$(db_digest)" "$before"

# An edge that fails to be written takes every subtask with it.
sqlite3 .baton/baton.db "CREATE TRIGGER fail_edge AFTER INSERT ON task_deps
    WHEN (SELECT count(*) FROM task_deps) >= $(($(sqlite3 .baton/baton.db 'SELECT count(*) FROM task_deps') + 2))
    BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
before=$(db_digest)
run plan import plan.json --parent 1
refused "a failing edge" "disk on fire"
same "a failed plan left nothing behind" "$(db_digest)" "$before"

finish
