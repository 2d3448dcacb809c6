#!/bin/bash
# The standup and retro views, Tab between views, and m setting the mark.
. "${SRCDIR:-.}/tests/cli/ui-lib.sh"

repo_new
ui_start 120 40
keys 4
wait_for "no sprint yet"
pass "retro with no sprint says so"
ui_quit

b sprint new s9 >/dev/null
b add "Landed task" >/dev/null
b add "Stuck task" --role designer >/dev/null
b add "Failed task" >/dev/null
b edit 1 --state done >/dev/null
b edit 2 --state blocked >/dev/null
b dep add 2 3 >/dev/null
b edit 3 --state failed >/dev/null
t=$(now)
r=$(run_add 1 exited worker claude opus $((t - 100)))
call_add "$r" "$t" 10 0 10 0.4

ui_start 120 40
keys Tab
wait_for "active run"
keys Tab
wait_for "^Standup: sprint s9"
expect "^Done \(1\)"
expect "^  #1 Landed task \(worker\)"
expect "^  #2 Stuck task \(designer\) \[blocked\] on #3"
expect "^Spend \(\\\$0\.40 over 1 calls\)"
expect "^    worker +\\\$0\.40"
pass "standup view"

sleep 1.1	# the mark must come after what was done, not in the same second
keys m
wait_for "standup mark set at"
wait_for "^Done \(0\)"
expect "^Spend \(\\\$0\.00 over 0 calls\)"
[ "$(sql "SELECT count(*) FROM marks WHERE name = 'standup' AND at >= $t")" = 1 ] ||
    fail "m did not store the mark"
pass "m sets the mark"

keys Tab
wait_for "^Retrospective: sprint s9"
expect "3 tasks: 1 landed, 1 failed, 0 cancelled; 1 runs on 1 tasks"
expect "^  #3 Failed task \(worker\)"
expect "^Cost \(\\\$0\.40 over 1 calls\)"
keys Tab
wait_for "Sprint s9: 3 tasks"
keys BTab
wait_for "^Retrospective: sprint s9"
pass "retro view and Tab"
check_widths 120
ui_quit
