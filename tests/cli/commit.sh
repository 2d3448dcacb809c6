#!/bin/sh
# baton commits what an agent changed: agent CLIs run without git write
# access, so when a work run succeeds baton stages every change in the
# worktree (new, changed and removed files; ignored files and its own
# .baton/ left out) and commits it on the task's branch, the agent as the
# author and its last words in the message. A run that changed nothing is
# blocked before any review is paid for; an agent's own commits land with
# what it left uncommitted; a hostile title never reaches the commit
# message raw. Checked with the git CLI on main afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sprint-lib.sh"

new_repo
printf '*.log\n' >.gitignore
echo "old" >old.txt
git add .gitignore old.txt && git commit -qm "ignore logs"
run init
ok "init"
run sprint new commits
S=$TEST_TMP/scenarios
mkdir -p "$S/w" "$S/r"

cat >.baton/config <<EOF
[baton]
concurrency = 2
retries = 1
backoff = 1

[provider "fw"]
argv = $FAKE -f claude -s 0.1 -S $S/w -p {prompt}
format = claude
model = claude-sonnet-4-5

[provider "fr"]
argv = $FAKE -f codex -s 0.1 -S $S/r -p {prompt}
format = codex
model = gpt-5-codex

[provider "fdeny"]
argv = sh -c 'cat "\$0"' $FIXTURES/agents/claude/local-2.1.197-permission-denied.jsonl {prompt}
format = claude
model = claude-sonnet-5

[role "worker"]
chain = fw

[role "denied"]
chain = fdeny

[role "reviewer"]
chain = fr
EOF
run config check
ok "the test configuration is good"

# 1: new, changed and removed files, an ignored log and baton's own notes;
# the agent never commits.
cat >"$S/w/T1.txt" <<'EOF'
call 100 0 0 20
write new.txt a new file
append README more words
remove old.txt
write build.log not work
write .baton/notes.md the agent's own notes
text I added new.txt, extended the README and removed old.txt.
EOF
# 2: a run that succeeds without changing anything.
printf 'call 100 0 0 20\ntext Nothing needed changing.\n' >"$S/w/T2.txt"
# 3: the agent commits part of its work and leaves the rest.
cat >"$S/w/T3.txt" <<'EOF'
call 100 0 0 20
write three-a.txt committed by the agent
commit the agent's own commit
write three-b.txt left for baton
text Done, partly committed.
EOF
# 4: a title with terminal escapes and a newline.
printf 'call 100 0 0 20\nwrite four.txt four\ntext done\n' >"$S/w/T4.txt"
approve='text Looks right. {"verdict": "approve"}'
for n in 3 4; do echo "$approve" >"$S/r/T$n.2.txt"; done
# #1's reviewer writes in the worktree it reviews: none of it may land.
{ printf 'write stray.txt the reviewer was here\nappend README reviewer\n'
  echo "$approve"; } >"$S/r/T1.2.txt"

run add "Add new.txt and drop old.txt" --role worker
run add "Change nothing" --role worker
run add "Commit some of it" --role worker
run add "$(printf 'Hostile \033[31mred\033[0m\ntitle')" --role worker
# 5: a real Claude Code run whose git commit was denied: the reason says so.
run add "Commit by myself" --role denied
run go
run_until_settled 900 "the sprint settles"

same "#1 landed" "$(state 1)" "done"
same "#3 landed" "$(state 3)" "done"
same "#4 landed" "$(state 4)" "done"
same "#2 is blocked" "$(state 2)" "blocked"
contains "#2 says it changed nothing" \
    "$(q "SELECT reason FROM tasks WHERE id = 2")" "changed nothing"
same "no review was run for #2" \
    "$(q "SELECT count(*) FROM runs WHERE task_id = 2 AND purpose = 'review'")" "0"

same "#5 is blocked" "$(state 5)" "blocked"
contains "#5 names the denied tool" \
    "$(q "SELECT reason FROM tasks WHERE id = 5")" "denied: Bash"

# What main holds, by the git CLI.
git checkout -q main 2>/dev/null
same "the new file is on main" "$(git show main:new.txt)" "a new file"
same "the changed file is on main" "$(git show main:README | tail -n 1)" "more words"
git cat-file -e main:old.txt 2>/dev/null && fail "old.txt is still on main" || pass
git cat-file -e main:build.log 2>/dev/null && fail "an ignored file landed" || pass
git cat-file -e main:.baton/notes.md 2>/dev/null && fail "baton's notes landed" || pass
same "the agent's own commit landed" "$(git show main:three-a.txt)" "committed by the agent"
same "what it left landed" "$(git show main:three-b.txt)" "left for baton"

c1=$(git log main --format=%H --grep='^T1: ' | head -n 1)
[ -n "$c1" ] && pass || fail "no commit for #1 on main"
same "#1's author is its provider" "$(git log -1 --format='%an <%ae>' "$c1")" \
    "fw (claude-sonnet-4-5) <fw@baton.invalid>"
same "#1's subject names the task" "$(git log -1 --format=%s "$c1")" \
    "T1: Add new.txt and drop old.txt"
contains "#1's message has the agent's last words" \
    "$(git log -1 --format=%b "$c1")" "removed old.txt"
run1=$(q "SELECT id FROM runs WHERE task_id = 1 AND purpose = 'work'")
contains "#1's message names its run" "$(git log -1 --format=%b "$c1")" \
    "Baton-Run: $run1"
same "#1's commit changed exactly its files" \
    "$(git show --format= --name-status "$c1" | sort | tr '\t\n' ' ')" \
    "A new.txt D old.txt M README "
same "one commit of the agent and one of baton's for #3" \
    "$(git log main --format=%s | grep -c -e "agent's own commit" -e '^T3: ')" "2"
c4=$(git log main --format=%H --grep='^T4: ' | head -n 1)
git log -1 --format=%B "$c4" | od -c | grep -q '033' &&
    fail "an escape reached #4's commit message" || pass
same "#4's subject is one line" "$(git log -1 --format=%s "$c4")" \
    "T4: Hostile  [31mred [0m title"

git cat-file -e main:stray.txt 2>/dev/null && fail "the reviewer's file landed" || pass
case $(git show main:README) in *reviewer*) fail "the reviewer's edit landed" ;; *) pass ;; esac
saved=$(git for-each-ref --format='%(refname)' refs/baton/saved/)
contains "what the reviewer left is kept" "$saved" "refs/baton/saved/T1-review-"
same "the kept commit holds the reviewer's file" \
    "$(git show "$saved:stray.txt" 2>/dev/null)" "the reviewer was here"

git fsck --strict >/dev/null 2>&1 && pass || fail "git fsck"
finish
