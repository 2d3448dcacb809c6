#!/bin/bash
# Titles that try to break a cell grid: emoji, joiners, combining accents,
# zero-width and unassigned characters, C1 controls, right-to-left text,
# tabs, invalid UTF-8. The board's column borders must stay in place.
. "${SRCDIR:-.}/tests/cli/ui-lib.sh"

repo_new
b sprint new s >/dev/null
titles=(
	$'emoji 😀😀😀😀😀😀😀😀 end'
	$'combining e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301 end'
	$'zwj 👩\u200d💻👩\u200d💻👩\u200d💻 end'
	$'unassigned \u0378\u0378\u0378\u0378\u0378 end'
	$'private \ue000\ue000\ue000\ue000 end'
	$'zero\u200bwidth\u200b\u200b\u200b end'
	$'C1 \u0085 \u009b31m csi end'
	$'rtl \u202eevil\u202c مرحبا end'
	$'tab\there\r\x7f end'
	$'wide 漢字漢字漢字漢字漢字 end'
)
for t in "${titles[@]}"; do
	b add "$t" >/dev/null || fail "baton add refused: $t"
done
sql "INSERT INTO tasks (sprint_id, title, created_at, updated_at) VALUES (1,
    CAST(x'696e76616c6964c0afe282ff20656e64' AS TEXT), 0, 0)"

# Every row of cards: seven borders, and exactly as wide as tmux drew it.
check_rows() {
	local n=0 line w bars
	while IFS= read -r line; do
		n=$((n + 1))
		[ "$n" -lt 3 ] && continue
		case $line in *"? help"*) continue ;; esac
		w=$(printf '%s' "$line" | wc -L)
		bars=$(printf '%s\n' "$line" | grep -o '│' | wc -l)
		[ "$bars" = 7 ] && [ "$w" = "$1" ] ||
		    fail "row $n is $w wide with $bars borders: $line"
	done < <(tmux -L "$UI_SOCK" capture-pane -p -t ui:0 | head -n -1)
}

ui_start 120 50
wait_for "Sprint s: 11 tasks"
check_rows 119
pass "board rows keep their borders"

# Each task view: every line within the terminal.
for id in $(seq 1 11); do
	keys / "#$id" Enter
	wait_for "filter: #$id"
	keys Enter
	wait_for "^#$id "
	check_widths 120
	keys Escape Escape
	wait_gone "filter:"
done
expect_not "$(printf '\302\233')"
pass "task views stay inside the terminal"

tmux -L "$UI_SOCK" resize-window -t ui -x 77 -y 30
sleep 0.5
check_widths 77
ui_quit
