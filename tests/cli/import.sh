#!/bin/sh
# import: Markdown checklists become tasks; broken files import nothing.
. "$(dirname "$0")/lib.sh"

new_repo
run init

cat >plan.md <<'MD'
# Release 1.2

Some notes that are not tasks.

- [ ] Parser rewrite
  Keep the old API.

      code stays indented
  - [x] Tokenizer
  - [ ] Grammar
    * [ ] Expressions
- [X] Changelog
1. [ ] Numbered item

```
- [ ] not a task: inside a fence
```
MD
run import plan.md --json
ok "import"
same "imported tasks" "$(printf '%s' "$OUT" | jq -c 'map([.id, .title, .state, .parent])')" \
    '[[1,"Parser rewrite","backlog",null],[2,"Tokenizer","done",1],[3,"Grammar","backlog",1],[4,"Expressions","backlog",3],[5,"Changelog","done",null],[6,"Numbered item","backlog",null]]'
run show 1 --json
same "item body" "$(printf '%s' "$OUT" | jq -r .body)" "Keep the old API.

    code stays indented"
run import plan.md
same "text report" "$OUT" "imported 6 tasks: #7 to #12"

run add "umbrella"
run import plan.md --parent 13 --json
same "--parent puts top items under it" \
    "$(printf '%s' "$OUT" | jq -c '[.[] | select(.parent == 13) | .title]')" \
    '["Parser rewrite","Changelog","Numbered item"]'

# Text under a nested item belongs to that item; its siblings stay nested.
cat >nested.md <<'MD'
- [ ] A
  - [ ] B
    about B
  about A
  - [ ] C
MD
run import nested.md --json
same "nesting survives text between items" \
    "$(printf '%s' "$OUT" | jq -c 'map([.title, .parent])')" \
    "[[\"A\",null],[\"B\",$(printf '%s' "$OUT" | jq '.[0].id')],[\"C\",$(printf '%s' "$OUT" | jq '.[0].id')]]"
run show "$(printf '%s' "$OUT" | jq '.[0].id')" --json
same "text goes to the item it is under" "$(printf '%s' "$OUT" | jq -r .body)" "about A"

before=$(db_digest)
printf -- '- [ ] a\n```\n- [ ] b\n' >bad.md
run import bad.md
refused "unclosed fence" "line 2: a code fence is never closed"
printf -- '- [ ] fine\n- [?] odd\n' >bad.md
run import bad.md
refused "unknown checkbox" "line 2: unknown checkbox [?]"
printf -- '- [ ] fine\n- [ ]   \n' >bad.md
run import bad.md
refused "empty item" "line 2: checklist item has no title"
printf '# Notes\n\nno checklist here\n- plain item\n' >bad.md
run import bad.md
refused "no items" "no checklist items"
printf -- '- [ ] caf\351\n' >bad.md
run import bad.md
refused "invalid UTF-8" "not valid UTF-8"
run import "$TEST_TMP/nope.md"
refused "missing file" "No such file"
run import plan.md --parent 99
refused "unknown parent" "no task #99"
same "broken imports wrote nothing" "$(db_digest)" "$before"

# A failure half way through the writes rolls all of them back.
sqlite3 .baton/baton.db "CREATE TRIGGER fail_third AFTER INSERT ON tasks
    WHEN (SELECT count(*) FROM tasks) >= $(($(sqlite3 .baton/baton.db 'SELECT count(*) FROM tasks') + 3))
    BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
before=$(db_digest)
run import plan.md
refused "a failing write" "disk on fire"
same "a failed import left nothing behind" "$(db_digest)" "$before"

finish
