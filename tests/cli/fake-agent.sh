#!/bin/sh
# baton-fake-agent plays one scenario in every format, and baton reads each
# back to the scenario's own figures.

set -eu
: "${BATON:?}" "${SRCDIR:?}"
command -v jq >/dev/null 2>&1 || exit 77
fake=$(dirname "$BATON")/contrib/fake-agent/baton-fake-agent
scenario=$SRCDIR/contrib/fake-agent/scenarios/fix-bug.txt

tmp=$(mktemp -d "${TMPDIR:-/tmp}/baton-fake.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { [ "$2" = "$3" ] || fail "$1: expected $2, got $3"; }
# [calls, in, cache write, cache read, out, cost to 6 places]
totals() {
	jq -c '.total | [.calls, .tokens_in, .tokens_cache_write,
	    .tokens_cache_read, .tokens_out, (.cost_usd * 1e6 | round / 1e6)]'
}

# The scenario's three calls (in / cache write / cache read / out):
#   3/4200/14800/180, 6/900/19000/620, 4/300/19900/240
#   sums 13 / 5400 / 53700 / 1040
# At Sonnet 4.5 prices: 13*3 + 5400*3.75 + 53700*0.3 + 1040*15
#   = 39 + 20250 + 16110 + 15600 = 51999 -> $0.051999.
for fmt in claude opencode; do
	"$fake" -s 0 -f $fmt "$scenario" >"$tmp/$fmt.jsonl"
	out=$("$BATON" cost --json --model claude-sonnet-4-5 "$tmp/$fmt.jsonl")
	check "$fmt" '[3,13,5400,53700,1040,0.051999]' "$(echo "$out" | totals)"
	# The CLI's own figure, which the fake computes with the same table.
	check "$fmt-cli" 0.051999 \
	    "$(echo "$out" | jq '.total.cli_cost_usd * 1e6 | round / 1e6')"
done

# Amp gives no message ids: blocks in a row with the same usage are one
# call, so the three calls still count three times, not once per block.
"$fake" -s 0 -f amp "$scenario" >"$tmp/amp.jsonl"
out=$("$BATON" cost --json --model claude-sonnet-4-5 "$tmp/amp.jsonl")
check amp '[3,13,5400,53700,1040,0.051999]' "$(echo "$out" | totals)"

# Codex and Gemini report the run's sum once, with the cache write inside
# the input: in 13 + 5400 = 5413, read 53700, out 1040.
#   5413*3 + 53700*0.3 + 1040*15 = 16239 + 16110 + 15600 = 47949.
for fmt in codex gemini; do
	"$fake" -s 0 -f $fmt "$scenario" >"$tmp/$fmt.jsonl" 2>/dev/null
	out=$("$BATON" cost --json --model claude-sonnet-4-5 "$tmp/$fmt.jsonl")
	check "$fmt" '[1,5413,0,53700,1040,0.047949]' "$(echo "$out" | totals)"
done

# Pauses are real: pace 400 ms at speed 0.01 is 4 ms an event; the run
# takes a little while but not long.
start=$(date +%s)
"$fake" -s 0.01 -f claude "$scenario" >/dev/null
[ $(( $(date +%s) - start )) -lt 5 ] || fail "too slow"

# baton reads each format's limit message back as a limit with its reset:
# seen 2026-03-10 15:00 UTC, "resets 8pm (America/New_York)" is 20:00 EDT
# = 2026-03-11 00:00 UTC = 1773187200.
for fmt in claude codex gemini opencode; do
	"$fake" -s 0 -f $fmt "$SRCDIR/contrib/fake-agent/scenarios/usage-limit.txt" \
	    2>/dev/null | "$BATON" parse --format $fmt --now 1773154800 \
	    >"$tmp/events" || true
	check "$fmt-limit" '["limit",1773187200]' "$(jq -c \
	    'select(.kind == "ratelimit") | [.class, .reset_at]' "$tmp/events")"
	check "$fmt-turn" 'true' "$(jq -c \
	    'select(.kind == "turn_end") | .is_error' "$tmp/events")"
done

# A limit ends the run with the format's exit status.
set +e
"$fake" -s 0 -f codex "$SRCDIR/contrib/fake-agent/scenarios/usage-limit.txt" \
    >"$tmp/limit.jsonl"
check codex-exit 1 $?
"$fake" -s 0 -f claude "$SRCDIR/contrib/fake-agent/scenarios/usage-limit.txt" \
    >"$tmp/limit.jsonl"
check claude-exit 0 $?
"$fake" -f nope "$scenario" >/dev/null 2>&1
check bad-format 2 $?
echo | "$BATON" parse --format nope >/dev/null 2>&1
check parse-format 2 $?
"$BATON" parse --now soon /dev/null >/dev/null 2>&1
check parse-now 2 $?
"$BATON" parse "$tmp/missing" >/dev/null 2>&1
check parse-missing 1 $?
set -e
tail -n 1 "$tmp/limit.jsonl" | jq -e '.is_error == true and
    .api_error_status == 429' >/dev/null || fail "claude limit result"
exit 0
