#!/bin/sh
# Streams recorded from the real CLIs (Claude Code 2.1.197, Codex 0.169.0,
# Gemini CLI 0.61.0; tests/fixtures/agents, see SOURCES.md) replayed as
# runs in tmux windows and stored by baton run: the ledger equals each
# CLI's own usage and cost, a resumed Codex thread counts only its own
# turn (also when baton stops halfway), limits and denials are read from
# what the streams carry, and baton cost says which price entries priced
# the calls and where the CLI's own cost differs.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null 2>&1 || exit 77

A=$FIXTURES/agents
new_repo
run init
run sprint new recorded
ok "a sprint for the retrospective"
teardown() {
	"$BATON" -C "$REPO" tmux kill-server >/dev/null 2>&1
	cleanup
}
trap teardown EXIT

# replay TASK RUN FORMAT ARGV...: a run of ARGV in tmux, stored to its end.
replay() {
	task=$1 id=$2 format=$3
	shift 3
	run start "$task" --format "$format" -- "$@"
	ok "start run $id"
	wait_exit "$id"
	run run --once
	ok "store run $id"
}
# calls RUN: "msg_id in cache_write cache_read out" per call, in order.
calls() {
	q "SELECT group_concat(msg_id || ' ' || tokens_in || ' ' ||
	    tokens_cache_write || ' ' || tokens_cache_read || ' ' ||
	    tokens_out, '; ') FROM (SELECT * FROM calls WHERE run_id = $1
	    ORDER BY id)"
}
cost6() {
	q "SELECT printf('%.6f', sum(cost_usd)) FROM calls WHERE run_id = $1"
}
cli6() {
	q "SELECT printf('%.6f', json_extract(data, '$.cli_cost_usd')) FROM
	    events WHERE run_id = $1 AND kind = 'turn_end' ORDER BY id DESC
	    LIMIT 1"
}
runjson() {
	"$BATON" runs --json | jq -c ".[] | select(.id == $1) | $2"
}
ntask=0
task() {
	ntask=$((ntask + 1))
	run add "$1"
	ok "add task $ntask"
}

# 1. Claude's default model bills as claude-opus-4-8[1m]: one call, once.
task "one call"
replay $ntask 1 claude cat "$A/claude/local-2.1.197-one-call.jsonl"
same "one call, its final output" "$(calls 1)" "msg_m_0001 1667 0 0 12"
same "cost equals total_cost_usd" "$(cost6 1) $(cli6 1)" "0.008635 0.008635"
same "priced by the opus 4.8 entry" "$(q 'SELECT price_entry FROM calls WHERE run_id = 1')" \
    "claude-opus-4-8"

# 2. Two calls: each row its own, from the session's transcript, which the
# stream's init line locates (here copied under the test's folder).
task "two calls"
proj=$TEST_TMP/home/.claude/projects/-tmp-work-w2
mkdir -p "$proj"
cp "$A/claude-transcript/local-2.1.197/"*.jsonl "$proj/"
sed "s#/tmp/work/home/#$TEST_TMP/home/#g" "$A/claude/local-2.1.197-two-calls.jsonl" \
    >"$TEST_TMP/two-calls.jsonl"
replay $ntask 2 claude cat "$TEST_TMP/two-calls.jsonl"
same "two rows, 57 and 9 out" "$(calls 2)" \
    "msg_a_0001 2001 500 0 57; msg_b_0002 40 120 2500 9"
same "no unattributed row" "$(q "SELECT count(*) FROM calls WHERE run_id = 2 AND msg_id LIKE 'unattributed:%'")" "0"
same "cost equals total_cost_usd" "$(cost6 2) $(cli6 2)" "0.016980 0.016980"
run cost --by run --json
ok "cost --by run"
same "cost --by run: 2 calls, no mismatch" \
    "$(printf '%s' "$OUT" | jq -c '.rows[] | select(.run == 2) | [.calls, .tokens_out, .cli_mismatch, .priced_by]')" \
    '[2,66,false,["claude-opus-4-8"]]'

# 3. acceptEdits refuses git commit: the run says which tool and why.
task "commit"
replay $ntask 3 claude cat "$A/claude/local-2.1.197-permission-denied.jsonl"
same "one denial" "$(runjson 3 .denied)" "1"
same "the tool, the command, the CLI's reason" "$(runjson 3 .first_denied)" \
    "\"Bash (git add hello.txt && git commit -m 'add hello'): This Bash command contains multiple operations. The following parts require approval: git add hello.txt, git commit -m 'add hello'\""
contains "the phrase for the task" "$(runjson 3 .stream_reason)" "a tool call was denied: Bash"

# 4. A 429 with retry-after 7 retried to the end: the hold is the
# server's 7 s, marked as an estimate.
task "rate limited"
replay $ntask 4 claude sh -c 'cat "$1"; exit 1' sh "$A/claude/local-2.1.197-429-retry-after.jsonl"
same "one limit, estimated" "$(q 'SELECT kind || " " || estimated FROM rate_limits WHERE run_id = 4')" "rate 1"
hold=$(q 'SELECT reset_at - detected_at FROM rate_limits WHERE run_id = 4')
[ "$hold" -ge 6 ] && [ "$hold" -le 8 ] && pass || fail "hold $hold s is not the 7 s asked for"
same "runs --json says so" "$(runjson 4 '[.limited, .reset_estimated]')" '["limit",true]'

# 5. Codex resume: the thread's first run, then its resumed one, whose
# turn.completed holds both; the endpoint billed 8200 in (6900 cached).
task "codex thread"
replay $ntask 5 codex cat "$A/codex/local-0.169.0-first-run.jsonl"
same "first run" "$(q 'SELECT (tokens_in + tokens_cache_read) || " " || tokens_out FROM calls WHERE run_id = 5')" "7000 120"
replay $ntask 6 codex cat "$A/codex/local-0.169.0-resumed-run.jsonl"
same "the resumed run's own turn" \
    "$(q 'SELECT (tokens_in + tokens_cache_read) || " " || tokens_cache_read || " " || tokens_out FROM calls WHERE run_id = 6')" \
    "8200 6900 90"

# 6. The same with baton stopping halfway: run 8 (a new thread) writes its
# thread.started, is stored that far, and a later baton stores the rest.
task "codex, stopped halfway"
sed 's/01a23bf3-73d0/01a23bf3-aaaa/' "$A/codex/local-0.169.0-first-run.jsonl" >"$TEST_TMP/first.jsonl"
sed 's/01a23bf3-73d0/01a23bf3-aaaa/' "$A/codex/local-0.169.0-resumed-run.jsonl" >"$TEST_TMP/resumed.jsonl"
replay $ntask 7 codex cat "$TEST_TMP/first.jsonl"
run start $ntask --format codex -- sh -c 'head -n 2 "$1"; while [ ! -e "$2" ]; do sleep 0.05; done; tail -n +3 "$1"' \
    sh "$TEST_TMP/resumed.jsonl" "$TEST_TMP/go"
ok "start run 8"
stored_session() {
	"$BATON" run --once >/dev/null 2>&1
	[ "$(q 'SELECT agent_session FROM runs WHERE id = 8')" = "01a23bf3-aaaa-7290-bec2-382815c9646e" ]
}
wait_for "run 8's thread is stored" stored_session
same "nothing counted yet" "$(q 'SELECT count(*) FROM calls WHERE run_id = 8')" "0"
touch "$TEST_TMP/go"
wait_exit 8
run run --once
ok "a new baton stores the rest"
same "still only its own turn" \
    "$(q 'SELECT (tokens_in + tokens_cache_read) || " " || tokens_out FROM calls WHERE run_id = 8')" "8200 90"

# 7. Codex in a read-only worktree git folder: a denial with git's line.
task "codex commit"
replay $ntask 9 codex cat "$A/codex/local-0.169.0-index-lock.jsonl"
contains "the read-only index.lock" "$(runjson 9 .first_denied)" \
    "index.lock': Read-only file system"

# 8. Gemini: exit 55 and 42 with nothing on stdout, from stderr.log.
task "gemini untrusted"
replay $ntask 10 gemini sh -c 'cat "$1" >&2; exit 55' sh "$A/gemini/local-0.61.0-untrusted.stderr"
same "a configuration failure" "$(runjson 10 .failure)" '"config"'
contains "in the CLI's words" "$(runjson 10 .stream_reason)" \
    "the CLI cannot run as configured: exited with status 55: Gemini CLI is not running in a trusted directory"
task "gemini resume"
replay $ntask 11 gemini sh -c 'cat "$1" >&2; exit 42' sh "$A/gemini/local-0.61.0-resume-elsewhere.stderr"
same "a session failure" "$(runjson 11 .failure)" '"session"'
contains "no previous sessions" "$(runjson 11 .stream_reason)" "No previous sessions found for this project"

# 9. Gemini's 401 is an auth failure; its pretty-printed json one call.
task "gemini auth"
replay $ntask 12 gemini sh -c 'cat "$1"; exit 145' sh "$A/gemini/local-0.61.0-401.jsonl"
same "auth" "$(q 'SELECT kind FROM rate_limits WHERE run_id = 12')" "auth"
task "gemini json"
replay $ntask 13 gemini cat "$A/gemini/local-0.61.0-json-document.json"
same "one call from the document" "$(calls 13)" "result1:gemini-2.5-pro 4000 0 1200 75"
same "its cost" "$(cost6 13)" "0.005900"

# 10. Claude Code prices claude-sonnet-5 at $3/$15; Anthropic bills $2/$10.
# baton cost flags the run, and says which entry priced it.
task "sonnet 5"
replay $ntask 14 claude cat "$A/claude/local-2.1.197-sonnet-5-million.jsonl"
same "baton's price and the CLI's" "$(cost6 14) $(cli6 14)" "14.700000 22.050000"
run cost --by model --json
ok "cost --by model"
same "the sonnet 5 row: its entry, flagged" \
    "$(printf '%s' "$OUT" | jq -c '.rows[] | select(.model == "claude-sonnet-5") | [.priced_by, .cli_mismatch]')" \
    '[["claude-sonnet-5"],true]'
same "the run named" "$(printf '%s' "$OUT" | jq -c '[.cli_mismatches[].run]')" "[14]"
run cost --by model
ok "cost --by model, as text"
contains "the entry beside the model" "$OUT" "claude-sonnet-5 (priced as claude-sonnet-5)"
contains "the run flagged" "$OUT" '! run 14: baton $14.700000, the CLI $22.050000 (-33.3%)'
case $OUT in *"! run 1:"*|*"! run 2:"*) fail "a run that agrees is flagged" ;; *) pass ;; esac

# The retrospective lists the same run under its costs.
run retro --json
ok "retro"
same "retro: the sonnet 5 run" "$(printf '%s' "$OUT" | jq -c '[.cost.cli_mismatches[] | [.run, .cost_usd, .cli_cost_usd, .priced_by]]')" \
    '[[14,14.7,22.05,"claude-sonnet-5"]]'
run retro
ok "retro as text"
contains "retro text" "$OUT" 'run 14 (#12, -): baton $14.7000, the CLI $22.0500 (-33.3%; priced as claude-sonnet-5)'

# The same log read as a file: flagged by its path.
run cost "$A/claude/local-2.1.197-sonnet-5-million.jsonl" --json
ok "cost of the log"
same "flagged as a file" "$(printf '%s' "$OUT" | jq -r '.cli_mismatches[0].file')" \
    "$A/claude/local-2.1.197-sonnet-5-million.jsonl"

finish
