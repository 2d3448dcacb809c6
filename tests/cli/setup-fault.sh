#!/bin/sh
# Runs that fail before doing any work, for a reason a retry cannot mend,
# are not retried: a CLI that refuses a flag of its argv, or will not run in
# an untrusted folder (Gemini CLI's exit 55), has its provider held and the
# task moves down the chain at once, without using up a retry; 'baton
# retry' lifts the hold. A resume whose session the CLI cannot find starts
# a fresh session instead of trying the dead one again. A persistent role
# on a CLI that keeps sessions per folder starts a fresh session in a new
# task's worktree, carrying where the last conversation ended. A run that
# goes silent for longer than its provider's stall time is stopped as
# stalled and the task goes down the chain.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sprint-lib.sh"

new_repo
run init
ok "init"
run sprint new faults
S=$TEST_TMP/scenarios
mkdir -p "$S/g" "$S/z" "$S/p" "$S/h"

# CLIs that print what the real ones print when set up wrong.
cat >"$TEST_TMP/badflag" <<'EOF'
#!/bin/sh
echo "error: unknown option '--permision-mode'" >&2
exit 1
EOF
cat >"$TEST_TMP/untrusted" <<'EOF'
#!/bin/sh
echo "Gemini CLI is not running in a trusted directory. To proceed, either use --skip-trust, set the GEMINI_CLI_TRUST_WORKSPACE=true environment variable, or trust this directory in interactive mode." >&2
exit 55
EOF
cat >"$TEST_TMP/noconv" <<'EOF'
#!/bin/sh
echo "No conversation found with session ID: $1" >&2
exit 1
EOF
chmod +x "$TEST_TMP/badflag" "$TEST_TMP/untrusted" "$TEST_TMP/noconv"

cat >.baton/config <<EOF
[baton]
concurrency = 2
retries = 1
backoff = 1
review = no
lessons = no

[provider "badflag"]
argv = $TEST_TMP/badflag {prompt}
format = claude

[provider "untrusted"]
argv = $TEST_TMP/untrusted {prompt}
format = gemini

[provider "good"]
argv = $FAKE -f claude -s 0.1 -S $S/g -p {prompt}
format = claude
model = claude-sonnet-4-5

[provider "fz"]
argv = $FAKE -f claude -s 0.1 -S $S/z -p {prompt}
resume = $TEST_TMP/noconv {session} {prompt}
format = claude
model = claude-sonnet-4-5

[provider "fp"]
argv = $FAKE -f claude -s 0.1 -S $S/p -P $TEST_TMP/prompt-p -p {prompt}
resume = $FAKE -f claude -s 0.1 -S $S/p -r {session} -p {prompt}
format = claude
model = claude-sonnet-4-5
sessions = folder

[provider "hanger"]
argv = $FAKE -f claude -s 0.1 -S $S/h -p {prompt}
format = claude
model = claude-sonnet-4-5
stall = 2

[role "sleepy"]
chain = hanger, good

[role "worker"]
chain = badflag, untrusted, good

[role "resumer"]
chain = fz

[role "keeper"]
chain = fp
persistent = yes
EOF
run config check
ok "the test configuration is good"

work() {	# work FILE: scenario lines that do a task's work
	printf 'call 100 0 0 20\nwrite %s work\ntext done with %s\n' "$1" "$1"
}
# 1: badflag and untrusted cannot run; good does the work.
work one.txt >"$S/g/T1.txt"
# 2: cut short by a limit after a call; its session is gone when it comes
# back, so a fresh run does the work.
printf 'session 11111111-2222-3333-4444-555555555555\ncall 100 0 0 20\nlimit You have hit your limit · try again in 3 seconds\n' \
    >"$S/z/T2.1.txt"
work two.txt >"$S/z/T2.3.txt"
# 3 and 4: a persistent role on a CLI with sessions per folder.
printf 'session aaaaaaaa-2222-3333-4444-555555555555\n' >"$S/p/T3.txt"
work three.txt >>"$S/p/T3.txt"
work four.txt >"$S/p/T4.txt"
# 5: hangs after one call; good does the work.
printf 'call 10 0 0 5\ntext thinking\nhang\n' >"$S/h/T5.txt"
work five.txt >"$S/g/T5.txt"

run add "Work past two broken providers" --role worker
run add "Resume a lost session" --role resumer
run add "Keeper's first" --role keeper
run add "Keeper's second" --role keeper --blocked-by 3
run add "Hang, then fall back" --role sleepy
run go
run_until_settled 900 "the sprint settles"

for n in 1 2 3 4 5; do
	same "#$n is done" "$(state $n)" "done"
done
same "#1 went down the chain" \
    "$(q "SELECT group_concat(provider) FROM (SELECT provider FROM runs WHERE task_id = 1 ORDER BY id)")" \
    "badflag,untrusted,good"
same "#1 used no retry" "$(q "SELECT failures FROM tasks WHERE id = 1")" "0"
contains "badflag is held for its unknown option" \
    "$(q "SELECT message FROM rate_limits WHERE provider = 'badflag' AND kind = 'setup'")" \
    "unknown option '--permision-mode'"
contains "untrusted is held for exit 55" \
    "$(q "SELECT message FROM rate_limits WHERE provider = 'untrusted' AND kind = 'setup'")" \
    "trusted directory"
contains "the runner said why" "$(cat "$TEST_TMP/runner.log")" \
    "badflag cannot run as configured"

same "#2: limited, a failed resume, then a fresh run" \
    "$(q "SELECT count(*) FROM runs WHERE task_id = 2")" "3"
same "#2 used no retry" "$(q "SELECT failures FROM tasks WHERE id = 2")" "0"
run2=$(q "SELECT id FROM runs WHERE task_id = 2 ORDER BY id LIMIT 1 OFFSET 1")
run3=$(q "SELECT id FROM runs WHERE task_id = 2 ORDER BY id LIMIT 1 OFFSET 2")
contains "the second run tried the old session" \
    "$(cat ".baton/runs/$run2/run.json")" "11111111-2222-3333-4444-555555555555"
# Its prompt may quote the failed resume's error, which names the session;
# its argv must not pass it.
same "the fresh run did not try the dead session again" \
    "$(jq -c '[.argv[] | select(. == "11111111-2222-3333-4444-555555555555")]' ".baton/runs/$run3/run.json")" "[]"
run2_state=$(q "SELECT answer IS NOT NULL FROM runs WHERE id = $run2")
same "the failed resume was judged" "$run2_state" "1"

same "#4 ran once, on fp" "$(q "SELECT count(*) FROM runs WHERE task_id = 4")" "1"
run4=$(q "SELECT id FROM runs WHERE task_id = 4")
case $(cat ".baton/runs/$run4/run.json") in
*aaaaaaaa-2222*) fail "#4 resumed a session made in another folder" ;;
*) pass ;;
esac
contains "#4's prompt carries where the role's conversation ended" \
    "$(cat "$TEST_TMP/prompt-p")" "cannot be continued in this folder"
contains "#4's prompt names the earlier task" \
    "$(cat "$TEST_TMP/prompt-p")" "done with three.txt"

same "#5 went from the hung run to the next provider" \
    "$(q "SELECT group_concat(provider) FROM (SELECT provider FROM runs WHERE task_id = 5 ORDER BY id)")" \
    "hanger,good"
contains "the hung run is called stalled" \
    "$(q "SELECT outcome FROM runs WHERE task_id = 5 ORDER BY id LIMIT 1")" \
    "stalled after"
same "the stall counts as an attempt" "$(q "SELECT failures FROM tasks WHERE id = 5")" "1"
contains "hanger is passed over for a while" \
    "$(q "SELECT message FROM rate_limits WHERE provider = 'hanger' AND kind = 'stall'")" \
    "wrote nothing for"

# A retry lifts the holds of the task's role.
run retry 1
refused "a done task is not retried" "only a blocked, failed or waiting"
q "UPDATE tasks SET state = 'failed' WHERE id = 1"
run retry 1
ok "retry"
same "the holds are lifted" \
    "$(q "SELECT count(*) FROM rate_limits WHERE kind = 'setup' AND reset_at > $(date +%s)")" "0"
finish
