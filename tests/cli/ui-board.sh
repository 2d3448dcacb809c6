#!/bin/bash
# The board: columns, derived "ready", cards with provider, cost, subtask
# progress and a live rate-limit countdown; the strip of held providers;
# keys, filter, resize, hostile
# titles, and an empty sprint.
. "${SRCDIR:-.}/tests/cli/ui-lib.sh"

repo_new
b sprint new s1 >/dev/null

# An empty sprint: the whole screen is known.
ui_start 120 12
wait_for 'Sprint s1: 0 tasks, [$]0[.]00'
expected=$(cat <<'SCREEN'
 baton  1 board  2 live  3 standup  4 retro                                                                      paused
 Sprint s1: 0 tasks, $0.00

 Nothing here yet: add a task with 'baton add TITLE' or import a plan with 'baton import FILE'.







 ? help  Tab views  Enter open  / filter  a attach  q quit
SCREEN
)
got=$(screen | head -n 11)
[ "$got" = "$(printf '%s\n' "$expected" | head -n 11)" ] ||
    fail "empty board differs: $(printf '%s\n' "$expected" | head -n 11 | diff - <(echo "$got") 2>&1)"
ui_quit
pass "empty sprint"

t=$(now)
b add "Design the API" --role architect >/dev/null
b add "Implement parser" --blocked-by 1 >/dev/null
b add "Write docs" --role designer --blocked-by 2 >/dev/null
b add "Run benchmarks" >/dev/null
b add "Review code" --role reviewer >/dev/null
b add "Wait for quota" >/dev/null
b add "Broken thing" >/dev/null
b add "Dropped idea" >/dev/null
b add "Parent epic" >/dev/null
b add "Sub A" --parent 9 >/dev/null
b add "Sub B" --parent 9 >/dev/null
b add "$(printf 'Hostile \033[31mred\007 漢字 title that is long')" >/dev/null
b edit 1 --state done >/dev/null
b edit 4 --state running >/dev/null
b edit 5 --state review >/dev/null
b edit 6 --state waiting >/dev/null
b edit 7 --state failed >/dev/null
b cancel 8 >/dev/null
b edit 10 --state done >/dev/null

r4=$(run_add 4 running worker claude opus $((t - 60)))
call_add "$r4" "$t" 1000 0 200 0.25
call_add "$r4" "$t" 1000 0 200 0.5
r5=$(run_add 5 exited reviewer codex gpt-5 $((t - 600)))
call_add "$r5" "$t" 100 0 10 0.1
call_add "$r5" "$t" 100 0 10 NULL
r6=$(run_add 6 exited worker gemini pro $((t - 300)))
limit_add gemini "$r6" "$t" $((t + 125))

ui_start 120 40
wait_for "Sprint s1: 12 tasks"
expect "backlog \(1\) +│ready \(4\) +│running \(1\) +│review \(1\) +│blocked \(1\) +│done \(2\) +│failed \(2\)"
# Column of each card: by its left edge (17 columns each).
col_of() {
	screen | awk -v pat="$1" '{ i = index($0, pat); if (i) { print int((i - 1) / 17); exit } }'
}
[ "$(col_of '#2 Implement')" = 1 ] || fail "#2 is not ready (its blocker is done)"
[ "$(col_of '#3 Write docs')" = 0 ] || fail "#3 is not in backlog"
[ "$(col_of '#4 Run bench')" = 2 ] || fail "#4 is not running"
[ "$(col_of '#6 Wait for')" = 4 ] || fail "#6 is not blocked/waiting"
[ "$(col_of '#7 Broken')" = 6 ] || fail "#7 is not with the failed"
expect "waits on 1 task"
expect "worker · claude"
expect '\$0\.75'
expect '\$0\.10\+1 unknown'
expect "1/2 worker"
expect '#12 Hostile \\03'
expect '^ held  gemini · requests limit · resets in 2m0[0-9]s'
pass "columns and cards"

# The countdown is live: it goes down without a key.
first=$(screen | grep -Eo 'reset in 2m0[0-9]s' | head -n 1)
[ -n "$first" ] || fail "no countdown"
sleep 2.2
second=$(screen | grep -Eo 'reset in [0-9]+m[0-9]+s' | head -n 1)
[ "$first" != "$second" ] || fail "countdown did not move: $first"
pass "rate-limit countdown ($first -> $second)"

check_widths 120

# Keys: the selection starts in the first non-empty column; l moves right.
keys l
keys Enter
wait_for "^ *#2 Implement parser|> task"
wait_for "Blocked by \(1\)"
expect "#1 \[done\] Design the API"
keys Escape
wait_for "Sprint s1"
pass "enter and back"

# The mouse (one row lower, under the holds strip): a click selects a card
# (here #3, top of "backlog"), a click on the selected card opens it.
keys -l "$(printf '\033[M #%%')"
keys -l "$(printf '\033[M##%%')"
sleep 0.3
expect_not "> task"
keys Enter
wait_for "^#3 Write docs"
keys Escape
wait_for "Sprint s1"
keys -l "$(printf '\033[M 2%%')"
keys -l "$(printf '\033[M#2%%')"
keys -l "$(printf '\033[M 2%%')"
keys -l "$(printf '\033[M#2%%')"
wait_for "^#2 Implement parser"
keys Escape
wait_for "Sprint s1"
pass "mouse selects and opens"

# Hostile titles in full: control characters escaped, wide characters and
# invalid UTF-8 kept inside the line.
sql "UPDATE tasks SET title = CAST(x'42616420627974657320fffe20e6bca2' AS TEXT) WHERE id = 8"
keys / H o s t i l e Enter
wait_for "#12 Hostile"
keys Enter
wait_for "> task"
expect '^#12 Hostile \\033\[31mred\\007 漢字 title that is long$'
check_widths 120
keys Escape
wait_for "filter: Hostile"
keys Escape	# Esc on the board clears the filter
wait_gone "filter:"
keys / B a d Enter
wait_for "#8 Bad bytes"
keys Enter
wait_for "> task"
expect '^#8 Bad bytes \\xff\\xfe 漢$'
check_widths 120
keys Escape
wait_for "filter: Bad"
keys / BSpace BSpace BSpace Enter	# an empty filter clears it too
wait_gone "filter:"
pass "hostile titles"

# Filter narrows the cards; empty filter clears it.
keys / p a r s e r Enter
wait_for "filter: parser"
expect "#2 Implement"
expect_not "#4 Run bench"
keys / BSpace BSpace BSpace BSpace BSpace BSpace Enter
wait_gone "filter: parser"
expect "#4 Run bench"
pass "filter"

# Data written by another process shows up without a key.
b add "Arrives later" >/dev/null
wait_for "#13 Arrives" 60
pass "reload on change"

# Resize: smaller, then tiny, then back; lines never overflow.
tmux -L "$UI_SOCK" resize-window -t ui -x 60 -y 20
wait_for "Sprint s1"
sleep 0.3
check_widths 60
expect "^ baton"
keys l l l l
sleep 0.3
check_widths 60
tmux -L "$UI_SOCK" resize-window -t ui -x 20 -y 5
wait_for "terminal too small"
tmux -L "$UI_SOCK" resize-window -t ui -x 120 -y 40
wait_for "backlog \("
check_widths 120
pass "resize"

# The mouse: a click on the tab bar switches views.
ui_quit
pass "quit"
