#!/bin/bash
# Help drawn from the key table, quitting, themes, NO_COLOR, the mouse, and
# what plain "baton" does where there is no .baton/.
. "${SRCDIR:-.}/tests/cli/ui-lib.sh"
export BATON_THEME_DIR="$SRCDIR/themes"

# Outside a repository, and without a terminal, plain baton prints help.
out=$(cd "$UI_ROOT" && "$BATON" </dev/null) || fail "plain baton outside a repository"
printf '%s\n' "$out" | grep -q '^usage: baton' || fail "no help outside a repository"
repo_new
out=$(b </dev/null) || fail "plain baton without a terminal"
printf '%s\n' "$out" | grep -q '^usage: baton' || fail "no help without a terminal"
b ui </dev/null >/dev/null 2>&1 && fail "baton ui without a terminal succeeded"
pass "plain baton without a UI prints help"

b sprint new s >/dev/null
b add "A task" >/dev/null

# Help: every documented binding of the key table is listed.
ui_start 120 50
keys '?'
wait_for "^Keys"
for doc in "move up" "page down" "open the selected task" "next view" \
    "filter by text \(empty clears\)" "attach to the selected run's tmux window" \
    "standup: set a new mark \(now\)" "quit \(agents keep running\)" \
    "plan: a request the architect decomposes into subtasks"; do
	expect "^  [^ ].* +$doc$"
done
expect "^  Up k +move up$"
expect "^  Tab +next view$"
expect "Theme: default \(monochrome\)"
keys Escape
wait_for "Sprint s"
pass "help from the key table"

# P: a request typed on the screen becomes a plan task for the architect;
# Escape while typing stores nothing.
keys P
wait_for "^plan:"
keys -l "Speed up the parser; keep its output"
keys Enter
wait_for "#2: the plan role decomposes it"
[ "$(sql "SELECT kind || ' ' || role || ' ' || state || ' ' || body FROM tasks WHERE id = 2")" = \
    "plan architect ready Speed up the parser; keep its output" ] ||
    fail "P made no plan task: $(sql 'SELECT * FROM tasks WHERE id = 2')"
keys P
keys -l "never mind"
keys Escape
keys r
sleep 0.3
[ "$(sql 'SELECT count(*) FROM tasks')" = 2 ] || fail "Escape still stored a plan"
pass "P plans a request"

# The mouse: a click on "2 live" in the tab bar.
keys -l "$(printf '\033[M 3!')"
keys -l "$(printf '\033[M#3!')"
wait_for "active run"
pass "mouse click on the tab bar"
ui_quit

# SIGTERM ends the UI cleanly: the terminal is given back, exit status 0.
ui_start 120 30
pid=$(pgrep -P "$(tmux -L "$UI_SOCK" display -p -t ui:0 '#{pane_pid}')" -x baton)
[ -n "$pid" ] || fail "cannot find baton's pid"
kill -TERM "$pid"
wait_for "baton-exited-0"
expect_not "Sprint s"
ui_quit_server
pass "SIGTERM gives the terminal back"

# Themes: the 256-colour terminal gets colours; NO_COLOR gets mono.
UI_TERM=tmux-256color
ui_start 120 30 --theme nier
keys '?'
wait_for "Theme: nier\. Views"
ui_quit
UI_ENV="NO_COLOR=1"
ui_start 120 30 --theme nier
keys '?'
wait_for "Theme: nier \(monochrome\)"
ui_quit
UI_ENV=""
mkdir -p "$XDG_CONFIG_HOME/baton"
printf '[ui]\ntheme = high-contrast\n' > "$REPO/.baton/config"
ui_start 120 30
keys '?'
wait_for "Theme: high-contrast\. Views"
ui_quit
rm "$REPO/.baton/config"
pass "themes, NO_COLOR and the config setting"

# Every shipped theme parses; a bad one is refused before curses starts.
for theme in default mono high-contrast nier; do
	ui_start 100 40 --theme "$theme"
	keys '?'
	wait_for "Theme: $theme"
	ui_quit
done
printf '[theme]\nselection = purple on black\n' > "$UI_ROOT/bad"
out=$(cd "$REPO" && script -qec "$BATON --theme $UI_ROOT/bad" /dev/null 2>&1)
printf '%s\n' "$out" | grep -q 'unknown colour or attribute "purple"' ||
    fail "bad theme: $out"
out=$(cd "$REPO" && script -qec "$BATON --theme nosuch" /dev/null 2>&1)
printf '%s\n' "$out" | grep -q 'no theme called "nosuch"' || fail "missing theme: $out"
pass "theme errors"
