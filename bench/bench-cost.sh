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
			blocks = 1 + int(rand() * 3)
			for (b = 0; b < blocks; b++) {
				out = (b == blocks - 1) ? 50 + int(rand() * 900) : 1
				line = sprintf("{\"parentUuid\":\"u%d\",\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"/home/u/proj%d\",\"sessionId\":\"session-%d\",\"version\":\"2.1.0\",\"gitBranch\":\"main\",\"message\":{\"id\":\"msg_%d\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"%s\",\"content\":[{\"type\":\"text\",\"text\":\"%s\"}],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":%d,\"cache_creation_input_tokens\":%d,\"cache_read_input_tokens\":%d,\"cache_creation\":{\"ephemeral_5m_input_tokens\":%d,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":%d,\"service_tier\":\"standard\"}},\"requestId\":\"req_%d\",\"type\":\"assistant\",\"uuid\":\"a%d-%d\",\"timestamp\":\"%s\"}", msg, p, s, msg, model, substr(filler, 1, 100 + int(rand() * 700)), 3 + int(rand() * 10), int(rand() * 3000), 10000 + int(rand() * 90000), 0, out, msg, msg, b, t)
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

# Warm the page cache, then time each tool on the same files.
find "$dir" -name '*.jsonl' -exec cat {} + >/dev/null
t0=$(now)
find "$dir" -name '*.jsonl' -exec wc -l {} + >/dev/null
t1=$(now)
wc_t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
t0=$(now)
"$baton" cost --json "$dir/projects" >"$dir/out.json"
t1=$(now)
baton_t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

echo "wc -l:      ${wc_t}s  $(rate "$wc_t")"
echo "baton cost: ${baton_t}s  $(rate "$baton_t")"
if command -v jq >/dev/null 2>&1; then
	jq -c '{calls: .total.calls, tokens_out: .total.tokens_out,
	    cost_usd: .total.cost_usd, files}' "$dir/out.json"
fi
