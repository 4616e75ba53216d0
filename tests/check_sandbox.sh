#!/bin/sh
# Scenarios you did not write: every file under tests/sandbox/ tries to leave
# the sandbox (files, programs, modules, bytecode, the debug library, the
# library's own tables) or to exhaust a limit (steps, memory, the engine's
# working memory). Each must end within seconds with status 2 and the message
# its first line names ("-- expect: ..."; "-- args: ..." on the second line
# adds options), and leave no marker file behind. Then what the sandbox
# allows: include of a shared plan, math.random reproducible by seed,
# --unsafe, and Ctrl-C and --time-limit leaving no output file.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
B1=scenarios/b2b_saas_inbound.lua
M0=tests/good/minimal.lua
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"
trap 'rm -rf "$tmp"; rm -f /tmp/funnelcast_sandbox_marker_*' EXIT
rm -f /tmp/funnelcast_sandbox_marker_*

for f in tests/sandbox/*.lua; do
  expect=$(sed -n '1s/^-- expect: //p' "$f")
  args=$(sed -n '2s/^-- args: //p' "$f")
  # shellcheck disable=SC2086
  timeout 20 "$FC" run "$f" --trials 100 $args > "$tmp/out" 2> "$tmp/err"
  st=$?
  if [ "$st" = 2 ] && grep -qF -- "$expect" "$tmp/err" && [ "$(wc -l < "$tmp/err")" = 1 ] && [ ! -s "$tmp/out" ]; then ok
  else bad "$f: status $st (want 2)"; echo "  want: funnelcast: ...$expect"; echo "  got:  $(cat "$tmp/err")"; fi
done
ls /tmp/funnelcast_sandbox_marker_* > /dev/null 2>&1 && bad "a scenario created a marker file" || ok

# the default step limit ends a loop within seconds (a generous timeout: the machine may be busy)
echo 'while true do end' > "$tmp/forever.lua"
timeout 120 "$FC" run "$tmp/forever.lua" > /dev/null 2> "$tmp/err"
st=$?
[ "$st" = 2 ] && grep -q 'forever.lua: the scenario ran more than 1000000000 Lua steps (a loop that never ends?); raise the limit with --max-steps' "$tmp/err" && ok ||
  bad "default step limit: status $st: $(cat "$tmp/err")"

# include through a link that leaves the scenario's folder
mkdir "$tmp/plan"
ln -s "$PWD/tests/good/minimal.lua" "$tmp/plan/linked.lua"
echo 'return include "linked.lua"' > "$tmp/plan/main.lua"
timeout 20 "$FC" run "$tmp/plan/main.lua" > /dev/null 2> "$tmp/err"
st=$?
[ "$st" = 2 ] && grep -q 'main.lua:1: include "linked.lua": .*lies outside the folder of the scenario' "$tmp/err" && ok ||
  bad "include through a link: status $st: $(cat "$tmp/err")"

# include reads regular files only (not a FIFO nobody writes, not a device),
# and a scenario read from a pipe has no folder to include from
mkfifo "$tmp/plan/fifo.lua"
echo 'return include "fifo.lua"' > "$tmp/plan/fifo_main.lua"
timeout 10 "$FC" run "$tmp/plan/fifo_main.lua" > /dev/null 2> "$tmp/err"
st=$?
[ "$st" = 2 ] && grep -q 'include "fifo.lua": cannot read .*(not a regular file)' "$tmp/err" && ok ||
  bad "include of a FIFO: status $st: $(cat "$tmp/err")"
echo 'return include "shm/x"' | timeout 10 "$FC" run /dev/stdin > /dev/null 2> "$tmp/err"
st=$?
[ "$st" = 2 ] && grep -q 'no folder to include from' "$tmp/err" && ok || bad "include from a scenario on a pipe: status $st: $(cat "$tmp/err")"
"$FC" run /dev/stdin --trials 100 < "$M0" > /dev/null && ok || bad "a scenario read from standard input"
# a scenario on a named pipe is read once: the report (the HTML shows the
# text as written) never opens it again
mkfifo "$tmp/scenario_fifo"
cat "$M0" > "$tmp/scenario_fifo" &
timeout 20 "$FC" run "$tmp/scenario_fifo" --trials 100 --format html > "$tmp/fifo.html" 2> "$tmp/err"; st=$?
[ "$st" = 0 ] && grep -q "return scenario" "$tmp/fifo.html" && ok || bad "a scenario on a named pipe: status $st: $(cat "$tmp/err")"

# what the sandbox allows
"$FC" run tests/sandbox/ok/include_base.lua --trials 2000 --format json > "$tmp/inc" &&
  /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [s["scenario"] for s in d["scenarios"]] == ["base", "more search"]' "$tmp/inc" &&
  ok || bad "include of a shared base plan"
"$FC" run tests/sandbox/ok/random.lua --trials 100 --format json > "$tmp/r1" &&
"$FC" run tests/sandbox/ok/random.lua --trials 100 --format json > "$tmp/r2" &&
"$FC" run tests/sandbox/ok/random.lua --trials 100 --format json --seed 7 > "$tmp/r7" &&
"$FC" run tests/sandbox/ok/random.lua --trials 100 --format json --seed 7 > "$tmp/r7b" || bad "math.random: a run failed"
cmp -s "$tmp/r1" "$tmp/r2" && cmp -s "$tmp/r7" "$tmp/r7b" && ok || bad "math.random: two runs with the same seed differ"
[ "$(grep '"scenario"' "$tmp/r1")" != "$(grep '"scenario"' "$tmp/r7")" ] && ok || bad "math.random: --seed 7 drew the same"
"$FC" run tests/sandbox/ok/randomseed.lua --trials 100 --seed 7 --format json | grep '"scenario"' > "$tmp/s7"
"$FC" run tests/sandbox/ok/randomseed.lua --trials 100 --seed 8 --format json | grep '"scenario"' > "$tmp/s8"
cmp -s "$tmp/s7" "$tmp/s8" && ok || bad "math.randomseed(42) does not make the draws independent of --seed"

# what a script does with the tables the library hands it changes nothing:
# the run of a tampering file is the run of the file it includes, byte for byte
"$FC" run tests/sandbox/ok/minimal.lua --trials 500 --format json > "$tmp/m0" &&
  "$FC" run tests/sandbox/ok/tamper_norm.lua --trials 500 --format json > "$tmp/m1" &&
  cmp -s "$tmp/m0" "$tmp/m1" && ok || bad "tampering with normalize(s) or s.spec changed the run"
set_cpc='channels.search.cpc=lognormal{median=2,sigma=0.1}'
"$FC" run tests/sandbox/ok/minimal.lua --trials 500 --format json --set "$set_cpc" > "$tmp/s0" &&
  "$FC" run tests/sandbox/ok/tamper_set.lua --trials 500 --format json --set "$set_cpc" > "$tmp/s1" &&
  cmp -s "$tmp/s0" "$tmp/s1" && ok || bad "a scenario's s:set changed what a later --set means"

# same seed, same bytes, whatever order Lua's string hashing gives a process:
# a file that builds its plan by pairs() and math.random, run in three
# processes, and its shards merge into the unsharded run
pr=tests/sandbox/ok/pairs_random.lua
for i in 1 2 3; do "$FC" run "$pr" --trials 3000 --seed 5 --format json > "$tmp/p$i" || bad "pairs_random: run $i failed"; done
cmp -s "$tmp/p1" "$tmp/p2" && cmp -s "$tmp/p1" "$tmp/p3" && ok || bad "pairs_random: the same seed gave other bytes"
"$FC" run "$pr" --trials 3000 --seed 5 --shard 1/2 --partial "$tmp/pr1.bin" &&
  "$FC" run "$pr" --trials 3000 --seed 5 --shard 2/2 --partial "$tmp/pr2.bin" &&
  "$FC" merge "$tmp/pr2.bin" "$tmp/pr1.bin" --format json > "$tmp/pm" && cmp -s "$tmp/p1" "$tmp/pm" && ok ||
  bad "pairs_random: its shards do not merge into the unsharded run"

# a partial summary is data: its scenario text is parsed, never run, even
# when its checksum is forged to match (the checksum catches damage; it is
# not a signature)
"$FC" run "$M0" --trials 2000 --shard 1/1 --partial "$tmp/part.bin" || bad "shard for forging failed"
for text in '(function() while true do end end)()' '{name=string.rep("a",1e9)}' '{name="x"..os.exit()}' \
            'setmetatable({},{__index=function() while true do end end})' '{periods=12 --[[ comment ]]}'; do
  /usr/bin/python3 tests/partials/forge.py "$tmp/part.bin" "$tmp/forged.bin" "$text"
  timeout 10 "$FC" merge "$tmp/forged.bin" -o "$tmp/forged.out" 2> "$tmp/err"
  st=$?
  [ "$st" = 2 ] && grep -q "scenario text, byte [0-9]*: expected" "$tmp/err" && [ ! -e "$tmp/forged.out" ] && ok ||
    bad "forged partial with '$text': status $st: $(cat "$tmp/err")"
done

# every loop of the engine is bounded by the model's size, not by values:
# an LTV with a tiny discount and a long horizon takes microseconds a trial
timeout 20 "$FC" run tests/sandbox/ok/ltv_tiny_discount.lua --trials 20000 --time-limit 5 > /dev/null && ok ||
  bad "the LTV of sbg{alpha = 0.5, beta = 1} with discount 1e-12 did not finish in 5 s"

# --unsafe: a trusted script writes its file, with a warning
FC_SANDBOX_MARKER="$tmp/written" "$FC" run tests/sandbox/ok/unsafe_write.lua --unsafe --trials 100 > /dev/null 2> "$tmp/err"
st=$?
[ "$st" = 0 ] && [ -s "$tmp/written" ] &&
  [ "$(cat "$tmp/err")" = "funnelcast: --unsafe: the scenario runs with full access to files and programs" ] && ok ||
  bad "--unsafe: status $st: $(cat "$tmp/err")"
FC_SANDBOX_MARKER="$tmp/written2" "$FC" run tests/sandbox/ok/unsafe_write.lua --trials 100 > /dev/null 2>&1
[ ! -e "$tmp/written2" ] && ok || bad "without --unsafe the script wrote its file"

# option values
"$FC" run "$B1" --max-memory lots > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q 'expected a size of at least 16M' "$tmp/err" && ok || bad "--max-memory lots"
"$FC" run "$B1" --max-steps 10 > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q 'expected a whole number of steps' "$tmp/err" && ok || bad "--max-steps 10"
"$FC" run "$B1" --time-limit 0 > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q 'expected a number of seconds' "$tmp/err" && ok || bad "--time-limit 0"
"$FC" run "$B1" --trials 2000 --max-memory 2G --max-steps 5e9 --time-limit 60 > /dev/null && ok || bad "limits that fit"

# the time limit stops a loop, a string pattern stuck inside one call, and the engine
echo 'while true do end' > "$tmp/loop.lua"
printf '%s\n' 'return string.find(string.rep("a", 60), string.rep("a-", 40) .. "b")' > "$tmp/pattern.lua"
for f in "$tmp/loop.lua" "$tmp/pattern.lua" "$B1"; do
  timeout 20 "$FC" run "$f" --trials 1000000000 --max-steps 1e15 --time-limit 1 -o "$tmp/timed.json" > /dev/null 2> "$tmp/err"
  st=$?
  [ "$st" = 2 ] && grep -q 'the command ran for more than 1 s; raise the limit with --time-limit' "$tmp/err" && ok ||
    bad "--time-limit 1 on $f: status $st: $(cat "$tmp/err")"
done
[ ! -e "$tmp/timed.json" ] && ok || bad "--time-limit left an output file"

# Ctrl-C: status 130 and no output file, in the engine and in a script
for f in "$B1" "$tmp/loop.lua"; do
  "$FC" run "$f" --trials 1000000000 --max-steps 1e15 -o "$tmp/int.json" 2> "$tmp/err" &
  pid=$!
  sleep 1
  kill -INT "$pid"
  wait "$pid"
  st=$?
  [ "$st" = 130 ] && [ "$(cat "$tmp/err")" = "funnelcast: interrupted" ] && ok || bad "Ctrl-C on $f: status $st: $(cat "$tmp/err")"
done
"$FC" run "$B1" --trials 100000000 --shard 1/2 --partial "$tmp/int.part" 2> /dev/null &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
st=$?
[ "$st" = 130 ] && ok || bad "Ctrl-C with --partial: status $st"
[ -z "$(ls "$tmp" | grep -e int.json -e int.part)" ] && ok || bad "an interrupted run left a file: $(ls "$tmp")"

# every signal ends the command within a second, wherever it is: inside
# single long C calls too (a pattern that backtracks, string.rep of an empty
# string, table.move over a huge range), with 130 for SIGINT and 143 for
# SIGTERM, the message, and no output file
printf '%s\n' 'return string.rep("", math.maxinteger)' > "$tmp/rep.lua"
printf '%s\n' 'table.move({}, 1, math.maxinteger - 1, 1, {})' > "$tmp/move.lua"
for f in "$tmp/pattern.lua" "$tmp/rep.lua" "$tmp/move.lua" "$tmp/loop.lua" "$B1"; do
  for sig in INT TERM; do
    "$FC" run "$f" --trials 1000000000 --max-steps 1e15 -o "$tmp/sig.json" 2> "$tmp/err" &
    pid=$!
    sleep 0.5
    t0=$(date +%s%N)
    kill -"$sig" "$pid"
    wait "$pid"
    st=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    want=130 word=interrupted
    [ "$sig" = TERM ] && want=143 word=terminated
    [ "$st" = "$want" ] && [ "$ms" -lt 1000 ] && [ "$(cat "$tmp/err")" = "funnelcast: $word" ] && [ ! -e "$tmp/sig.json" ] && ok ||
      bad "SIG$sig on $(basename "$f"): status $st after $ms ms: $(cat "$tmp/err")"
  done
done
[ -z "$(ls -a "$tmp" | grep '^\.funnelcast-')" ] && ok || bad "a signal left a temporary file"

# --time-limit holds to a fraction of a second in the simulation
t0=$(date +%s%N)
"$FC" run "$B1" --trials 1000000000 --time-limit 0.3 -o "$tmp/t.json" 2> "$tmp/err"
st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$st" = 2 ] && [ "$ms" -lt 700 ] && grep -q 'ran for more than 0.3 s' "$tmp/err" && [ ! -e "$tmp/t.json" ] && ok ||
  bad "--time-limit 0.3: status $st after $ms ms"

# the scenario's own code has a time bound, whatever it does, that does not
# count the simulation: a rehash-heavy or pattern-heavy script stops, a long
# simulation does not
"$FC" run "$tmp/pattern.lua" --max-steps 1e15 --script-time-limit 0.5 2> "$tmp/err"
st=$?
[ "$st" = 2 ] && grep -q "the scenario's own code (loading, validation, reports; not the simulation) ran for more than 0.5 s; raise the limit with --script-time-limit" "$tmp/err" && ok ||
  bad "--script-time-limit on a pattern: status $st: $(cat "$tmp/err")"
"$FC" run "$B1" --trials 300000 --threads 1 --script-time-limit 0.5 > /dev/null && ok ||
  bad "--script-time-limit counted the simulation"
"$FC" run "$B1" --script-time-limit 0 > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q 'expected a number of seconds' "$tmp/err" && ok || bad "--script-time-limit 0"

finish sandbox
