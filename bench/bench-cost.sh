#!/bin/sh
# Speed of "baton cost" on a generated Claude Code transcript corpus, next
# to "wc -l" on the same files (the floor: reading every byte once).
#
#   bench/bench-cost.sh [MEGABYTES] [BATON]
#
# The corpus is shaped like ~/.claude/projects: projects of sessions, each
# a JSONL file of user lines (tool results, the bulk of the bytes) and
# assistant lines (one per content block, repeating their message's usage),
# and every fourth session a resumed one that begins with a copy of the
# previous session's lines.
#
# If ccusage is installed it reads the same corpus too, and both totals and
# times are printed with how far apart the totals are. Each time is the
# best of three runs, with the files already in the page cache. Measured with
# ccusage 20.0.24 (npm install -g ccusage@20.0.24), run as
# "ccusage claude daily --json --offline --mode calculate": its built-in
# prices, every cost worked out from tokens as baton does.
#
# Not part of make check. The corpus goes in a new folder under $TMPDIR
# (default /tmp) and is removed at the end.

set -eu
mb=${1:-200}
baton=${2:-./baton}
dir=$(mktemp -d "${TMPDIR:-/tmp}/baton-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

echo "generating about $mb MB of transcripts in $dir"
awk -v dir="$dir" -v target="$((mb * 1024 * 1024))" 'BEGIN {
	srand(42)
	filler = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
	while (length(filler) < 16384)
		filler = filler filler
	bytes = 0; msg = 0; s = 0
	while (bytes < target) {
		p = int(s / 50)
		if (s % 50 == 0)
			system("mkdir -p " dir "/projects/-home-u-proj" p)
		file = sprintf("%s/projects/-home-u-proj%d/session-%d.jsonl", dir, p, s)
		if (s % 4 == 3 && prev != "") {
			while ((getline line < prev) > 0) {
				print line > file
				bytes += length(line) + 1
			}
			close(prev)
		}
		day = sprintf("2026-01-%02d", 1 + s % 28)
		n = 40 + int(rand() * 80)
		for (i = 0; i < n; i++) {
			msg++
			t = sprintf("%sT%02d:%02d:00.000Z", day, int(i / 60) % 24, i % 60)
			len = 512 + int(rand() * 6000)
			line = sprintf("{\"parentUuid\":\"u%d\",\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"/home/u/proj%d\",\"sessionId\":\"session-%d\",\"version\":\"2.1.0\",\"gitBranch\":\"main\",\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"toolu_%d\",\"type\":\"tool_result\",\"content\":\"%s\"}]},\"uuid\":\"u%d\",\"timestamp\":\"%s\"}", msg, p, s, msg, substr(filler, 1, len), msg, t)
			print line > file
			bytes += length(line) + 1
			model = (msg % 5 == 0) ? "claude-haiku-4-5-20251001" : "claude-sonnet-4-5-20250929"
			# One response: its blocks repeat the same usage, and
			# only the last has the real output count.
			uin = 3 + int(rand() * 10)
			ucw = int(rand() * 3000)
			ucr = 10000 + int(rand() * 90000)
			blocks = 1 + int(rand() * 3)
			for (b = 0; b < blocks; b++) {
				out = (b == blocks - 1) ? 50 + int(rand() * 900) : 1
				line = sprintf("{\"parentUuid\":\"u%d\",\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"/home/u/proj%d\",\"sessionId\":\"session-%d\",\"version\":\"2.1.0\",\"gitBranch\":\"main\",\"message\":{\"id\":\"msg_%d\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"%s\",\"content\":[{\"type\":\"text\",\"text\":\"%s\"}],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":%d,\"cache_creation_input_tokens\":%d,\"cache_read_input_tokens\":%d,\"cache_creation\":{\"ephemeral_5m_input_tokens\":%d,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":%d,\"service_tier\":\"standard\"}},\"requestId\":\"req_%d\",\"type\":\"assistant\",\"uuid\":\"a%d-%d\",\"timestamp\":\"%s\"}", msg, p, s, msg, model, substr(filler, 1, 100 + int(rand() * 700)), uin, ucw, ucr, ucw, out, msg, msg, b, t)
				print line > file
				bytes += length(line) + 1
			}
		}
		close(file)
		prev = file
		s++
	}
}'

files=$(find "$dir" -name '*.jsonl' | wc -l)
bytes=$(find "$dir" -name '*.jsonl' -exec cat {} + | wc -c)
lines=$(find "$dir" -name '*.jsonl' -exec cat {} + | wc -l)
echo "corpus: $files files, $lines lines, $bytes bytes"

now() { date +%s.%N; }
rate() { awk -v b="$bytes" -v t="$1" 'BEGIN { printf "%.1f MB/s", b / 1048576 / t }'; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# best COMMAND...: the shortest of three runs, in seconds.
best() {
	b=
	for i in 1 2 3; do
		t0=$(now)
		"$@"
		t=$(since "$t0")
		b=$(awk -v a="$t" -v b="${b:-$t}" 'BEGIN { print (a < b ? a : b) }')
	done
	echo "$b"
}
wc_all() { find "$dir" -name '*.jsonl' -exec wc -l {} + >/dev/null; }
baton_all() { "$baton" cost --json "$dir/projects" >"$dir/out.json"; }
ccusage_all() {
	CLAUDE_CONFIG_DIR=$dir ccusage claude daily --json --offline \
	    --mode calculate >"$dir/ccusage.json"
}

# Warm the page cache, then time each tool on the same files, best of 3.
find "$dir" -name '*.jsonl' -exec cat {} + >/dev/null
wc_t=$(best wc_all)
baton_t=$(best baton_all)

echo "wc -l:      ${wc_t}s  $(rate "$wc_t")"
echo "baton cost: ${baton_t}s  $(rate "$baton_t")  ($(awk -v a="$baton_t" \
    -v b="$wc_t" 'BEGIN { printf "%.2f", a / b }') x wc -l)"
command -v jq >/dev/null 2>&1 || exit 0
jq -c '{calls: .total.calls, in: .total.tokens_in,
    cache_write: .total.tokens_cache_write,
    cache_read: .total.tokens_cache_read, out: .total.tokens_out,
    cost_usd: .total.cost_usd, files}' "$dir/out.json"

command -v ccusage >/dev/null 2>&1 || exit 0
echo "ccusage $(ccusage --version 2>/dev/null)"
cc_t=$(best ccusage_all)
echo "ccusage:    ${cc_t}s  $(rate "$cc_t")  ($(awk -v a="$cc_t" \
    -v b="$baton_t" 'BEGIN { printf "%.2f", a / b }') x baton cost)"
jq -c '.totals | {in: .inputTokens, cache_write: .cacheCreationTokens,
    cache_read: .cacheReadTokens, out: .outputTokens,
    cost_usd: .totalCost}' "$dir/ccusage.json"
jq -rn --slurpfile b "$dir/out.json" --slurpfile c "$dir/ccusage.json" '
    ($b[0].total.cost_usd) as $x | ($c[0].totals.totalCost) as $y |
    "cost difference: \(($x - $y) / $y * 100 | . * 1e6 | round / 1e6) %"'
