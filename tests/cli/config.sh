#!/bin/sh
# The configuration files: built-in defaults, the user's file and the
# repository's, merged key by key; config check, show and sample.
. "$(dirname "$0")/lib.sh"

SRC=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
USERCONF="$XDG_CONFIG_HOME/baton/config"

# Outside a repository only the built-in defaults and the user's file count.
mkdir -p "$TEST_TMP/nowhere"
cd "$TEST_TMP/nowhere" || exit 99
run config check
ok "config check outside a repository"
contains "built-in only" "$OUT" "from built-in"

new_repo
run config check
ok "config check before init"

run init
ok "init"
run config sample
same "init writes the sample" "$(cat .baton/config)" "$OUT"
contains "the sample documents options" "$OUT" "# persistent = no"
run config check
ok "config check passes on a fresh init"
contains "check names the files it read" "$OUT" "built-in, $REPO/.baton/config"
contains "check counts providers and roles" "$OUT" "9 providers, 8 roles"

# The defaults.
run config show --json
ok "config show --json"
same "shipped providers" "$(printf '%s' "$OUT" | jq -r '.providers | keys | join(" ")')" \
    "claude-haiku claude-opus claude-sonnet codex codex-mini gemini-flash gemini-pro opencode-gpt opencode-sonnet"
same "shipped roles" "$(printf '%s' "$OUT" | jq -r '.roles | keys | join(" ")')" \
    "architect assistant designer ops reviewer sre triager worker"
same "concurrency from the built-in file" \
    "$(printf '%s' "$OUT" | jq -r '.baton.concurrency | "\(.value) \(.file)"')" "4 built-in"
same "a default from the options table" \
    "$(printf '%s' "$OUT" | jq -r '.providers.codex.stdin | "\(.value) \(.file) \(.line)"')" \
    "null default null"
same "argv as words" \
    "$(printf '%s' "$OUT" | jq -r '.providers["claude-sonnet"].argv.value[0:3] | join(" ")')" \
    "claude -p {prompt}"
same "flags are booleans" "$(printf '%s' "$OUT" | jq -r '.roles.architect.persistent.value')" "true"
same "files read" "$(printf '%s' "$OUT" | jq -c '[.files[] | .read]')" "[true,false,true]"
same "no problems" "$(printf '%s' "$OUT" | jq -c '.problems')" "[]"

# The user's file, then the repository's, each winning key by key.
mkdir -p "$XDG_CONFIG_HOME/baton"
cat >"$USERCONF" <<'EOF'
[baton]
concurrency = 6
retries = 5

[provider "claude-sonnet"]
model = user-model
env = FROM_USER=1

[provider "mine"]
argv = my-agent --ask {prompt}
format = text
EOF
cat >.baton/config <<'EOF'
[baton]
concurrency = 2
[role.worker]
chain = mine,
  codex
[ui]
theme = mono
EOF
run config check
ok "config check with user and repository files"
run config show --json
ok "config show --json with overrides"
j=$OUT
field() {
	printf '%s' "$j" | jq -r "$1"
}
same "the repository wins" "$(field '.baton.concurrency | "\(.value) \(.file):\(.line)"')" \
    "2 $REPO/.baton/config:2"
same "the user's file beats the built-in" \
    "$(field '.baton.retries | "\(.value) \(.file):\(.line)"')" "5 $USERCONF:3"
same "untouched keys stay built-in" "$(field '.baton.backoff | "\(.value) \(.file)"')" \
    "30 built-in"
same "a provider key from the user" \
    "$(field '.providers["claude-sonnet"].model | "\(.value) \(.file):\(.line)"')" \
    "user-model $USERCONF:6"
same "the provider's other keys stay built-in" \
    "$(field '.providers["claude-sonnet"].format.file')" "built-in"
same "env from the user" "$(field '.providers["claude-sonnet"].env.value | join(",")')" "FROM_USER=1"
same "a chain continued on the next line" \
    "$(field '.roles.worker.chain | "\(.value | join(",")) \(.file):\(.line)"')" \
    "mine,codex $REPO/.baton/config:4"
same "[ui] theme still sets the theme" "$(field '.baton.theme | "\(.value) \(.file):\(.line)"')" \
    "mono $REPO/.baton/config:7"
same "a provider the user added" "$(field '.providers.mine.argv.value | join(" ")')" \
    "my-agent --ask {prompt}"
run config show
ok "config show"
contains "text show gives the value" "$OUT" "concurrency = 2"
contains "text show gives the place" "$OUT" "# $REPO/.baton/config:2"
contains "text show names table defaults" "$OUT" "stdin = null"
contains "text show lists env" "$OUT" "env = FROM_USER=1"

# From a linked worktree, the main work tree's .baton/config is read.
git worktree add -q "$TEST_TMP/linked" 2>/dev/null
(cd "$TEST_TMP/linked" && "$BATON" config show --json) >"$TEST_TMP/linked.json"
same "a linked worktree reads the main .baton/config" \
    "$(jq -r '.baton.concurrency.value' "$TEST_TMP/linked.json")" "2"
rm "$USERCONF"

# Each kind of mistake: the file, the line, a non-zero exit.
bad() {
	printf '%s' "$2" >.baton/config
	run config check
	same "$1: exit 1" "$RC" "1"
	printf '%s\n' "$ERR" | grep -F -- "$REPO/.baton/config:$3: " |
	    grep -qF -- "$4" && pass ||
	    fail "$1: expected line $3 to say '$4', got: $ERR"
}
bad "unknown section" '[baton]
[servers]
x = 1
' 2 "unknown section [servers]"
bad "unknown key" '[baton]
concurency = 3
' 2 'unknown key "concurency" in [baton]'
bad "number out of range" '[baton]
retries = 1
backoff = 0
' 3 "[baton] backoff: 0 is out of range (1 to 86400)"
bad "not a number" '[role "worker"]
concurrency = many
' 2 '[role "worker"] concurrency: "many" is not a number'
bad "bad flag" '# top

[role "ops"]
persistent = sometimes
' 4 '"sometimes" is not yes or no'
bad "unknown format" '[provider "x"]
argv = x {prompt}
format = jsonl
' 3 'unknown format "jsonl" (one of: claude, amp, codex, gemini, opencode, text)'
bad "unknown placeholder" '[provider "x"]
format = claude
argv = x --model {modle} {prompt}
' 3 "unknown placeholder {modle}"
bad "unknown placeholder on a continuation line" '[provider "codex"]
argv = codex exec --json
	{prompt} --session={sesion}
' 3 "unknown placeholder {sesion}"
bad "chain names an unknown provider" '[role "worker"]

chain = claude-sonnet, no-such-provider
' 3 'chain names "no-such-provider", but there is no [provider "no-such-provider"]'
bad "duplicate provider in a chain" '[role "reviewer"]
chain = codex, gemini-pro, codex
' 2 "codex appears twice"
bad "provider without argv" '[baton]
[provider "half"]
format = text
' 2 '[provider "half"] sets no argv'
bad "a prompt never passed" '[provider "x"]
argv = x --quiet
format = text
' 2 "argv never passes {prompt}"
bad "a line that is not a setting" '[baton]
concurrency 3
' 2 "expected NAME = VALUE"
bad "a bad env entry" '[provider "codex"]
env = NOT A VARIABLE
' 2 '"NOT A VARIABLE" is not NAME=value'
bad "a key set twice" '[baton]
theme = mono
[ui]
theme = nier
' 4 "already set at line 2"

bad "unknown theme" '[baton]
theme = no-such-theme
' 2 'theme: no theme called "no-such-theme"'
printf '[ui]\ntheme = nier\n' >.baton/config
export BATON_THEME_DIR="$SRC/themes"
run config check
ok "a theme file in BATON_THEME_DIR is known"
unset BATON_THEME_DIR
run config check
refused "a theme that is nowhere" 'no theme called "nier"'

# Several problems at once: all reported, in order of place.
printf '[baton]\nretries = x\n[nope]\n[role "r"]\nchain = ghost\n' >.baton/config
run config check
same "several problems: exit 1" "$RC" "1"
same "every problem listed" "$(printf '%s\n' "$ERR" | grep -c "^$REPO/.baton/config:")" "3"
contains "and counted" "$ERR" "baton: 3 problems in the configuration"
run config show --json
same "show exits 1 when there are problems" "$RC" "1"
same "show --json lists them" "$(printf '%s' "$OUT" | jq -r '.problems[] | .line' | tr '\n' ' ')" \
    "2 3 5 "

# The user's file is checked and named too.
: >.baton/config
mkdir -p "$XDG_CONFIG_HOME/baton"
printf '[baton]\n\n\nconcurrency = 100\n' >"$USERCONF"
run config check
refused "a problem in the user's file" "$USERCONF:4: [baton] concurrency: 100 is out of range"
rm "$USERCONF"

# A NUL byte, and a line longer than the parser takes.
printf '[baton]\ntheme = a\000b\n' >.baton/config
run config check
refused "a NUL byte" "$REPO/.baton/config: contains a NUL byte"
{ printf '[baton]\ntheme = '; head -c 300 /dev/zero | tr '\0' x; printf '\n'; } >.baton/config
run config check
refused "an over-long line" "$REPO/.baton/config:2: the line is longer than"

# init leaves an existing config alone.
printf '[baton]\nconcurrency = 3\n' >.baton/config
run init
ok "init again"
same "init keeps the config" "$(cat .baton/config)" "$(printf '[baton]\nconcurrency = 3')"

# Every option of the table is documented in the man page, under its section.
run help --options
ok "help --options"
section=
printf '%s\n' "$OUT" | while IFS= read -r line; do
	case $line in
	"[baton]") section="baton" ;;
	"[provider"*) section="provider" ;;
	"[role"*) section="role" ;;
	"[ui]") section="ui" ;;
	"  "[a-z]*)
		[ "$section" = ui ] && continue
		name=${line#  }
		name=${name%% *}
		sed -n "/^\.Ss \[$section/,/^\.El/p" "$SRC/baton.1" |
		    grep -q "^\.It Ic $name " ||
		    { echo "FAIL: [$section] $name missing from baton.1" >&2;
		      echo x >>"$TEST_TMP/undocumented"; }
		;;
	esac
done
[ ! -e "$TEST_TMP/undocumented" ] && pass || fail "options missing from the man page"

finish
