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

before=$(db_digest)
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

finish
