#!/bin/sh
# baton cost over transcript folders and stream logs. Expected figures are
# worked out by hand from tests/fixtures/agents/claude-transcript.

set -eu
: "${BATON:?}" "${FIXTURES:?}"
command -v jq >/dev/null 2>&1 || exit 77

tmp=$(mktemp -d "${TMPDIR:-/tmp}/baton-cost.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { # what expected actual
	[ "$2" = "$3" ] || fail "$1: expected $2, got $3"
}

chat=$FIXTURES/agents/claude-transcript/ccusage-fixture-chat.jsonl

# Three calls: sonnet-4 100/25/10/50, opus-4 200/50/20/75, sonnet-4 300/0/40/125
# (in / cache write / cache read / out).
#   100*3 + 25*3.75 + 10*0.3 + 50*15   = 1146.75
#   200*15 + 50*18.75 + 20*1.5 + 75*75 = 9592.5
#   300*3 + 40*0.3 + 125*15            = 2787
#   sum 13526.25 per million -> $0.01352625; costUSD 0.12+0.34+0.56 = 1.02.
out=$("$BATON" cost --json "$chat")
check calls 3 "$(echo "$out" | jq '.total.calls')"
check in 600 "$(echo "$out" | jq '.total.tokens_in')"
check out 250 "$(echo "$out" | jq '.total.tokens_out')"
check cost 0.013526 "$(echo "$out" | jq '.total.cost_usd * 1e6 | round / 1e6')"
check cli 1.02 "$(echo "$out" | jq '.total.cli_cost_usd * 100 | round / 100')"
check session '"session-alpha"' "$(echo "$out" | jq '.rows[0].session')"

# A resumed session's file starts with a copy of the earlier one; the copy
# of msg-alpha-3 here has more output (200), which is kept: 50+75+200.
mkdir -p "$tmp/projects/p"
cp "$chat" "$tmp/projects/p/a.jsonl"
{ cat "$chat"; sed -n 3p "$chat" | sed 's/"output_tokens":125/"output_tokens":200/'; } \
    >"$tmp/projects/p/b.jsonl"
echo 'not json, and no usage' >>"$tmp/projects/p/b.jsonl"
out=$("$BATON" cost --json "$tmp/projects")
check dedup-calls 3 "$(echo "$out" | jq '.total.calls')"
check dedup-out 325 "$(echo "$out" | jq '.total.tokens_out')"
check files 2 "$(echo "$out" | jq '.files')"

# The default folder comes from CLAUDE_CONFIG_DIR.
out=$(CLAUDE_CONFIG_DIR=$tmp "$BATON" cost --json)
check default 3 "$(echo "$out" | jq '.total.calls')"

# By day: two on 2026-01-09, one on 2026-01-10.
out=$("$BATON" cost --json --by day "$chat")
check days '["2026-01-09",2,"2026-01-10",1]' \
    "$(echo "$out" | jq -c '[.rows[] | .day, .calls]')"

# By model, most expensive first: opus-4 (9592.5) before sonnet-4 (3933.75).
out=$("$BATON" cost --json --by model "$chat")
check models '["claude-opus-4-20250514","claude-sonnet-4-20250514"]' \
    "$(echo "$out" | jq -c '[.rows[].model]')"

# A stream log is read through its adapter. OpenCode names no model: the
# two steps are counted, unpriced, with OpenCode's own cost (0 + 0.001).
out=$("$BATON" cost --json \
    "$FIXTURES/agents/opencode/run-format-json-tool-and-text.jsonl" 2>"$tmp/err")
check oc-calls 2 "$(echo "$out" | jq '.total.calls')"
check oc-unpriced 2 "$(echo "$out" | jq '.total.unpriced_calls')"
check oc-in 22443 "$(echo "$out" | jq '.total.tokens_in')"
check oc-cli 0.001 "$(echo "$out" | jq '.total.cli_cost_usd')"
grep -q 'no model named: cost unknown' "$tmp/err" || fail "no warning"
check one-warning 1 "$(wc -l <"$tmp/err" | tr -d ' ')"

# By task: a run log under .baton/runs/N/ is that run's (no store here, so
# the run number names it). Codex docs sample at gpt-5-codex prices:
# 315*1.25 + 24448*0.125 + 122*10 = 393.75 + 3056 + 1220 = 4669.75.
mkdir -p "$tmp/repo/.baton/runs/7"
cp "$FIXTURES/agents/codex/exec-json-docs-sample.jsonl" \
    "$tmp/repo/.baton/runs/7/stream.jsonl"
out=$(cd "$tmp" && "$BATON" cost --json --by task --model gpt-5-codex \
    "$tmp/repo/.baton/runs")
check task '["run 7",1,0.00467]' \
    "$(echo "$out" | jq -c '[.rows[0].task, .rows[0].calls,
    (.rows[0].cost_usd * 1e5 | round / 1e5)]')"

# In a baton repository the store maps the run to its task.
if command -v sqlite3 >/dev/null 2>&1 && command -v git >/dev/null 2>&1; then
	git init -q "$tmp/repo"
	(cd "$tmp/repo" && "$BATON" init >/dev/null &&
	    "$BATON" add "Fix the parser" >/dev/null)
	sqlite3 "$tmp/repo/.baton/baton.db" \
	    "INSERT INTO runs (id, task_id, started_at) VALUES (7, 1, 0)"
	out=$(cd "$tmp/repo" && "$BATON" cost --json --by task \
	    --model gpt-5-codex .baton/runs)
	check task-store '"#1"' "$(echo "$out" | jq '.rows[0].task')"
fi

# Lines that only a real JSON reading gets right. Counted: msg_1 once (its
# copy with an escaped id, "msg_\u0031", is the same call with fewer
# tokens), msg_2 with its first usage member, msg_4 laid out with spaces.
# Not counted: usage inside toolUseResult, quoted in a text, a cut line,
# and a synthetic message. At Sonnet 4.5 prices:
#   msg_1: 10*3 + 400*3.75 + 600*6 (1-hour write) + 2000*0.3 + 100*15
#          = 30 + 1500 + 3600 + 600 + 1500 = 7230e-6, plus 2 web searches
#          at $10 a thousand = 0.02: 0.02723
#   msg_2: 7*3 + 3*15 = 66e-6
#   msg_4: 1000*3 + 20*15 = 3300e-6        total 0.030596
cat >"$tmp/tricky.jsonl" <<'EOF'
{"type":"user","sessionId":"s1","timestamp":"2026-02-01T10:00:00Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"done"}]},"toolUseResult":{"usage":{"input_tokens":999,"output_tokens":999}}}
{"type":"assistant","sessionId":"s1","requestId":"req_1","timestamp":"2026-02-01T10:00:01Z","message":{"id":"msg_1","model":"claude-sonnet-4-5","content":[{"type":"text","text":"quoting \"usage\":{\"input_tokens\":5} and a brace } ] \\"}],"usage":{"input_tokens":10,"cache_creation_input_tokens":1000,"cache_read_input_tokens":2000,"cache_creation":{"ephemeral_5m_input_tokens":400,"ephemeral_1h_input_tokens":600},"output_tokens":100,"server_tool_use":{"web_search_requests":2}}}}
{"type":"assistant","sessionId":"s1","requestId":"req_1","timestamp":"2026-02-01T10:00:01Z","message":{"id":"msg_\u0031","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":10,"output_tokens":1}}}
{"type":"assistant","sessionId":"s1","requestId":"req_2","message":{"id":"msg_2","model":"claude-sonnet-4-5","usage":{"input_tokens":7,"output_tokens":3},"usage":{"input_tokens":70000,"output_tokens":30000}}}
{"type":"assistant","sessionId":"s1","message":{"id":"msg_3","model":"claude-sonnet-4-5","usage":{"input_tokens":5000,"output_tokens":5000}}
{"type":"assistant","sessionId":"s1","message":{"id":"msg_5","model":"<synthetic>","usage":{"input_tokens":0,"output_tokens":0}}}
 { "type" : "assistant" , "sessionId" : "s1" , "message" : { "id" : "msg_4" , "model" : "claude-sonnet-4-5" , "usage" : { "input_tokens" : 1e3 , "output_tokens" : 20 } } }
EOF
out=$("$BATON" cost --json "$tmp/tricky.jsonl")
check tricky '[3,1017,1000,2000,123,0.030596]' "$(echo "$out" | jq -c '.total |
    [.calls, .tokens_in, .tokens_cache_write, .tokens_cache_read,
    .tokens_out, (.cost_usd * 1e6 | round / 1e6)]')"

# The text table ends with the total.
"$BATON" cost "$chat" | tail -n 1 | grep -q '^TOTAL .* 0\.0135 ' ||
    fail "table total"

# Usage errors.
set +e
"$BATON" cost --by colour "$chat" >/dev/null 2>&1
check by-usage 2 $?
"$BATON" cost --format nope "$chat" >/dev/null 2>&1
check format-usage 2 $?
"$BATON" cost "$tmp/missing" >/dev/null 2>&1
check missing 1 $?
set -e
exit 0
