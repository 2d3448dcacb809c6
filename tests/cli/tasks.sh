#!/bin/sh
# Tasks: add, show, edit, cancel, ls and the ready ordering, compared through
# their --json output; bad input is refused and writes nothing.
. "$(dirname "$0")/lib.sh"

new_repo
run init

# The fields the tests compare; times are checked apart.
fields='{id, title, state, role, priority, parent, sprint, blocked_by, waiting_on, ready}'

run add "Write the parser" --role architect --priority 1 --body "Line one
line two" --json
ok "add with options"
same "add --json" "$(printf '%s' "$OUT" | jq -c "$fields")" \
    '{"id":1,"title":"Write the parser","state":"backlog","role":"architect","priority":1,"parent":null,"sprint":null,"blocked_by":[],"waiting_on":[],"ready":true}'

printf 'From a file\n' >body.txt
run add "Second" --body-file body.txt --blocked-by 1 --parent 1
ok "add with --body-file, --blocked-by and --parent"
same "add prints the id" "$OUT" "added #2"
run show 2 --json
same "show --json" "$(printf '%s' "$OUT" | jq -c "$fields + {body, blocks, subtasks}")" \
    '{"id":2,"title":"Second","state":"backlog","role":"worker","priority":2,"parent":1,"sprint":null,"blocked_by":[1],"waiting_on":[1],"ready":false,"body":"From a file\n","blocks":[],"subtasks":[]}'
run show 1 --json
same "show lists both directions" "$(printf '%s' "$OUT" | jq -c '{blocks, subtasks}')" \
    '{"blocks":[2],"subtasks":[2]}'
now=$(date +%s)
created=$(printf '%s' "$OUT" | jq .created_at)
[ $((now - created)) -le 60 ] && [ "$created" -le "$now" ] && pass ||
    fail "created_at $created is not about now ($now)"

run show 1
ok "show as text"
contains "show text has the title" "$OUT" "#1 Write the parser"
contains "show text has the body" "$OUT" "    line two"
contains "show text has what it blocks" "$OUT" "#2 Second (backlog)"

# Bad input: refused, nothing written.
before=$(db_digest)
run add ""
refused "empty title" "title that is not empty"
run add "   "
refused "blank title" "title that is not empty"
run add "x" --priority 5
same "priority out of range exits 2" "$RC" "2"
run add "x" --blocked-by 99
refused "unknown blocker" "no task #99"
run add "x" --blocked-by 1,1
refused "repeated blocker" "each once"
run add "x" --parent 42
refused "unknown parent" "no task #42"
run add "x" --role "two words"
refused "bad role" "role name"
run add "x" --body-file "$TEST_TMP/missing"
refused "missing body file" "No such file"
run add "x" --body a --body-file body.txt
refused "body twice" "not both"
run add
refused "no title" "give one TITLE"
run add "x" --bogus
refused "unknown option" "bad option"
run show 99
refused "show unknown id" "no task #99"
run show abc
refused "show bad id" "not a task id"
same "a bad id is a usage error" "$RC" "2"
run edit 1
refused "edit with nothing to change" "nothing to change"
run edit 99 --title y
refused "edit unknown id" "no task #99"
run edit 1 --parent 2
refused "edit making a parent loop" "would make a loop"
run edit 1 --state nosuch
refused "edit unknown state" "unknown state"
run edit 1 --title ""
refused "edit empty title" "title that is not empty"
same "refused commands wrote nothing" "$(db_digest)" "$before"

# An option's value may look like --help: it is data, not a request.
run add "dash values" --body -h --json
same "--body -h is a body" "$(printf '%s' "$OUT" | jq -r .title)" "dash values"
run show 3 --json
same "-h stored as the body" "$(printf '%s' "$OUT" | jq -r .body)" "-h"
run edit 3 --title --help --json
same "--title --help is a title" "$(printf '%s' "$OUT" | jq -r .title)" "--help"
run add --help
same "add --help is help" "$(printf '%s' "$OUT" | head -n 1)" \
    "usage: baton add TITLE [--body TEXT | --body-file F] [--role R] [--priority 0-4] [--blocked-by N,...] [--parent N] [--json]"
run cancel 3

# A slow --body-file does not hold the write lock while it is read.
mkfifo "$TEST_TMP/slow"
"$BATON" edit 1 --body-file "$TEST_TMP/slow" >"$TEST_TMP/slow.out" 2>&1 &
slow=$!
exec 7>"$TEST_TMP/slow"
run add "while an edit waits for its input"
ok "another writer is not blocked by an edit reading its body"
echo "late body" >&7
exec 7>&-
wait $slow
same "the slow edit landed" "$(cat "$TEST_TMP/slow.out")" "updated #1"
run show 1 --json
same "with its body" "$(printf '%s' "$OUT" | jq -r .body)" "late body"

run edit 2 --title "Second, renamed" --priority 0 --role reviewer --parent none --json
ok "edit"
same "edit --json" "$(printf '%s' "$OUT" | jq -c '{title, priority, role, parent}')" \
    '{"title":"Second, renamed","priority":0,"role":"reviewer","parent":null}'

run edit 1 --state done
ok "edit --state done"
run show 1 --json
[ "$(printf '%s' "$OUT" | jq .finished_at)" != null ] && pass ||
    fail "done task has no finished_at"
run cancel 1
refused "cancel a done task" "is done"
run cancel 2 --json
same "cancel" "$(printf '%s' "$OUT" | jq -r .state)" "cancelled"
run cancel 2
ok "cancelling twice is harmless"

run ls --state cancelled --json
same "ls --state" "$(printf '%s' "$OUT" | jq -c 'map(.id)')" "[2,3]"
run ls --state bogus
refused "ls unknown state" "unknown state"

# Ready: not started, every blocker done; priority 0 first, then oldest.
new_repo ready
run init
run add "A"			# 1, P2
run add "B" --priority 0	# 2, P0
run add "C"			# 3, P2
run add "D" --priority 1 --blocked-by 2	# 4, P1, waits on B
run add "E" --priority 0 --blocked-by 3,4	# 5
run ready --json
same "ready order" "$(printf '%s' "$OUT" | jq -c 'map(.id)')" "[2,1,3]"
# Same priority, different ages: the older one first whatever the id.
sqlite3 .baton/baton.db "UPDATE tasks SET created_at = created_at - 100 WHERE id = 3"
run ready --json
same "older first within a priority" "$(printf '%s' "$OUT" | jq -c 'map(.id)')" "[2,3,1]"
run edit 2 --state done
run ready --json
same "ready after B is done" "$(printf '%s' "$OUT" | jq -c 'map(.id)')" "[4,3,1]"
run edit 3 --state running
run edit 4 --state done
run ready --json
same "E still waits on C" "$(printf '%s' "$OUT" | jq -c 'map(.id)')" "[1]"
run cancel 3
run ready --json
same "a cancelled blocker still blocks" "$(printf '%s' "$OUT" | jq -c 'map(.id)')" "[1]"
run ready
contains "ready as text" "$OUT" "    1  backlog   P2  worker     A"
run ls
contains "ls text shows what a task waits on" "$OUT" "waits on #3"

finish
