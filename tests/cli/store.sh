#!/bin/sh
# The store: migrations upgrade an old database in place; a newer, damaged
# or read-only database is refused with a clear message and left untouched.
. "$(dirname "$0")/lib.sh"

new_repo
# A database built by the first migration alone, with data in it.
BATON_MIGRATE_TO=1 "$BATON" init >/dev/null || fail "init at schema 1"
same "schema 1 version" "$(sqlite3 .baton/baton.db 'PRAGMA user_version')" "1"
same "schema 1 has no runs table" \
    "$(sqlite3 .baton/baton.db "SELECT count(*) FROM sqlite_master WHERE name = 'runs'")" "0"
# The data as a schema 1 baton wrote it (today's baton writes today's columns).
sqlite3 .baton/baton.db "
INSERT INTO sprints (id, name, created_at) VALUES (1, 'old sprint', 1700000000);
INSERT INTO tasks (sprint_id, title, priority, state, created_at, updated_at)
    VALUES (1, 'old task', 1, 'ready', 1700000000, 1700000000);
INSERT INTO tasks (sprint_id, title, state, created_at, updated_at)
    VALUES (1, 'newer task', 'backlog', 1700000001, 1700000001);
INSERT INTO task_deps VALUES (2, 1, 1700000001);"

run ls --json
ok "ls upgrades the database"
same "upgraded to the latest schema" "$(sqlite3 .baton/baton.db 'PRAGMA user_version')" "5"
same "the scheduler's columns exist" \
    "$(sqlite3 .baton/baton.db "SELECT count(*) FROM pragma_table_info('tasks') WHERE name IN ('not_before', 'failures', 'kind', 'target_id', 'rounds', 'merge_base')")" "6"
same "a sprint upgraded from schema 1 is not being dispatched" \
    "$(sqlite3 .baton/baton.db 'SELECT going FROM sprints')" "0"
same "tasks survive the upgrade" "$(printf '%s' "$OUT" | jq -c 'map([.id, .title, .priority, .blocked_by, .sprint])')" \
    '[[1,"old task",1,[],1],[2,"newer task",2,[1],1]]'
for table in runs calls events rate_limits agent_sessions lessons marks merge_proofs; do
	same "table $table exists" \
	    "$(sqlite3 .baton/baton.db "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$table'")" "1"
done
same "integrity after the upgrade" "$(sqlite3 .baton/baton.db 'PRAGMA integrity_check')" "ok"
same "foreign keys hold" "$(sqlite3 .baton/baton.db 'PRAGMA foreign_key_check')" ""

# A version 4 database with a priced call and a limit: migration 5 adds
# the price entry (unknown for old calls) and marks no reset an estimate.
new_repo v4
BATON_MIGRATE_TO=4 "$BATON" init >/dev/null || fail "init at schema 4"
same "schema 4 version" "$(sqlite3 .baton/baton.db 'PRAGMA user_version')" "4"
sqlite3 .baton/baton.db "
INSERT INTO tasks (title, created_at, updated_at) VALUES ('old', 1700000000, 1700000000);
INSERT INTO runs (task_id, format, started_at, log_done, state) VALUES (1, 'claude', 1700000000, 1, 'exited');
INSERT INTO calls (run_id, msg_id, model, at, tokens_in, tokens_out, cost_usd)
    VALUES (1, 'msg_1', 'claude-opus-4-5', 1700000000, 1000, 100, 0.0075);
INSERT INTO rate_limits (provider, kind, run_id, detected_at, reset_at, message)
    VALUES ('claude', 'rate', 1, 1700000000, 1700000900, 'limit');"
run cost --by run --json
ok "cost upgrades a version 4 database"
same "upgraded from 4 to 5" "$(sqlite3 .baton/baton.db 'PRAGMA user_version')" "5"
same "the old call is kept, its entry unknown" \
    "$(sqlite3 .baton/baton.db "SELECT tokens_in || ' ' || cost_usd || ' ' || coalesce(price_entry, 'null') FROM calls")" \
    "1000 0.0075 null"
same "the old limit's reset is not an estimate" \
    "$(sqlite3 .baton/baton.db 'SELECT reset_at || " " || estimated FROM rate_limits')" "1700000900 0"
same "the old call still adds up" "$(printf '%s' "$OUT" | jq -c '.total | [.calls, .cost_usd, .priced_by]')" \
    '[1,0.0075,[]]'
same "integrity after 4 to 5" "$(sqlite3 .baton/baton.db 'PRAGMA integrity_check')" "ok"
REPO="$TEST_TMP/repo"
cd "$REPO" || exit 99

# A database from a newer baton.
cp .baton/baton.db "$TEST_TMP/good.db"
sqlite3 .baton/baton.db 'PRAGMA user_version = 99'
sum=$(sha256sum .baton/baton.db)
run ls
refused "newer schema" "made by a newer baton (schema 99; this baton knows up to 5)"
run add "must not land"
refused "newer schema refuses writes" "newer baton"
same "newer database untouched" "$(sha256sum .baton/baton.db)" "$sum"

# Not a database at all.
head -c 8192 /dev/urandom >.baton/baton.db
rm -f .baton/baton.db-wal .baton/baton.db-shm
sum=$(sha256sum .baton/baton.db)
run ls
refused "garbage file" "damaged or not a baton database"
run init
refused "init over garbage" "damaged or not a baton database"
same "garbage file untouched" "$(sha256sum .baton/baton.db)" "$sum"

# A real database with a damaged page: the tasks table's root page gets a
# page type that does not exist.
cp "$TEST_TMP/good.db" .baton/baton.db
rm -f .baton/baton.db-wal .baton/baton.db-shm
root=$(sqlite3 .baton/baton.db "SELECT rootpage FROM sqlite_master WHERE name = 'tasks'")
psize=$(sqlite3 .baton/baton.db 'PRAGMA page_size')
printf '\377' | dd of=.baton/baton.db bs=1 seek=$(((root - 1) * psize)) \
    conv=notrunc 2>/dev/null
sum=$(sha256sum .baton/baton.db)
run ls --all
refused "damaged page" "damaged or not a baton database"
run add "after damage"
refused "no write on a damaged table" "damaged or not a baton database"
same "damaged file untouched" "$(sha256sum .baton/baton.db)" "$sum"

# A database that lost one of its tables is not taken for baton's.
cp "$TEST_TMP/good.db" .baton/baton.db
rm -f .baton/baton.db-wal .baton/baton.db-shm
sqlite3 .baton/baton.db 'DROP TABLE task_deps'
sum=$(sha256sum .baton/baton.db)
run ls
refused "a missing table" "table task_deps is missing"
same "that file is untouched" "$(sha256sum .baton/baton.db)" "$sum"

# A read-only .baton: refused with a message, nothing changed. Root ignores
# permissions, so run baton as an unprivileged user there.
new_repo readonly
run init
run add "stored before"
if [ "$(id -u)" -eq 0 ]; then
	chmod 0711 "$TEST_TMP"
	chown -R nobody "$REPO"
	as_user() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
else
	as_user() { "$@"; }
fi
sqlite3 .baton/baton.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
chmod 0400 .baton/baton.db
chmod 0500 .baton
sum=$(sha256sum .baton/baton.db)
OUT=$(as_user "$BATON" add "must not land" 2>"$TEST_TMP/stderr"); RC=$?
ERR=$(cat "$TEST_TMP/stderr")
refused "read-only database" "read-only"
same "read-only database untouched" "$(sha256sum .baton/baton.db)" "$sum"
chmod 0700 .baton
chmod 0600 .baton/baton.db
[ "$(id -u)" -eq 0 ] && chown -R root "$REPO"
run ls --json
same "data intact after the refusal" "$(printf '%s' "$OUT" | jq -c 'map(.title)')" '["stored before"]'

finish
