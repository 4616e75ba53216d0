#!/bin/sh
# Benchmark of the decisions (issue 11) on B1 (scenarios/b2b_saas_inbound.lua):
#  - one inner candidate of a search (a lean run: only the goals, core.evaluate)
#    against one full run of the same trials (fc.run: every figure), taking
#    turns in the same rounds; the target is a candidate 3x cheaper or better;
#    with valgrind there, the same ratio in instructions (callgrind), free of
#    the shared machine's noise;
#  - the seconds of `funnelcast plan` for "200 new customers in 2027" at 80%
#    and of `funnelcast optimize --budget 45000`, at the scenario's 100,000
#    trials, each also as a multiple of one full run measured beside it.
#   TRIALS=100000 REPEAT=5 THREADS=1 sh bench/bench_decide.sh
BUILD=${BUILD:-build}
TRIALS=${TRIALS:-100000}
REPEAT=${REPEAT:-5}
THREADS=${THREADS:-1}
FC="$BUILD/funnelcast"
B1=scenarios/b2b_saas_inbound.lua
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
spread() { sort -n "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }
now() { date +%s.%N; }

cat > "$tmp/candidate.lua" <<'LUA'
-- rounds of: one full run, one lean candidate (the same trials); prints
-- "full lean" seconds per round
package.cpath = arg[1] .. "/?.so;" .. package.cpath
local fc = require "funnelcast"
local s = fc.load(arg[2])[1]
local trials, threads, rounds = tonumber(arg[3]), tonumber(arg[4]), tonumber(arg[5])
local function clock() return os.clock() end
for _ = 1, rounds do
  local t0 = clock()
  fc.run(s, { trials = trials, threads = threads })
  local t1 = clock()
  fc.evaluate({ s }, { trials = trials, threads = threads })
  local t2 = clock()
  print(t1 - t0, t2 - t1)
end
LUA
echo "decisions on B1, $TRIALS trials, $THREADS thread(s), $REPEAT rounds"
lua5.4 "$tmp/candidate.lua" "$BUILD" "$B1" "$TRIALS" "$THREADS" "$REPEAT" > "$tmp/rounds" || exit 1
awk '{ print $1 / $2 }' "$tmp/rounds" > "$tmp/ratio"
awk '{ print $1 }' "$tmp/rounds" > "$tmp/full"
printf 'one full run / one inner candidate: %.2fx (median of rounds, range %s; CPU seconds; full run %.3f s)\n' \
  "$(median "$tmp/ratio")" "$(spread "$tmp/ratio")" "$(median "$tmp/full")"
if command -v valgrind > /dev/null; then
  cat > "$tmp/ir.lua" <<'LUA'
package.cpath = arg[1] .. "/?.so;" .. package.cpath
local fc = require "funnelcast"
local s = fc.load(arg[2])[1]
if arg[3] == "full" then fc.run(s, { trials = 10000, threads = 1 })
else fc.evaluate({ s }, { trials = 10000, threads = 1 }) end
LUA
  ir() { valgrind --tool=callgrind --toggle-collect=fc_engine_run_set --callgrind-out-file=/dev/null \
    lua5.4 "$tmp/ir.lua" "$BUILD" "$B1" "$1" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
  awk -v a="$(ir full)" -v b="$(ir lean)" \
    'BEGIN { printf "engine instructions, full run / inner candidate: %.2fx (callgrind, 10000 trials)\n", a / b }'
fi

# the commands, beside one full run of the same trials
r=1
while [ $r -le "$REPEAT" ]; do
  t0=$(now)
  "$FC" run "$B1" --trials "$TRIALS" --threads "$THREADS" -o /dev/null || exit 1
  t1=$(now)
  "$FC" plan "$B1" --goal "200 new customers in 2027" --trials "$TRIALS" --threads "$THREADS" --format json \
    -o "$tmp/plan.json" || exit 1
  t2=$(now)
  "$FC" optimize "$B1" --budget 45000 --trials "$TRIALS" --threads "$THREADS" --format json -o "$tmp/opt.json" || exit 1
  t3=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }' >> "$tmp/run.s"
  awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }' >> "$tmp/plan.s"
  awk -v a="$t2" -v b="$t3" 'BEGIN { print b - a }' >> "$tmp/opt.s"
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { print (c - b) / (b - a) }' >> "$tmp/plan.x"
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { print (d - c) / (b - a) }' >> "$tmp/opt.x"
  r=$((r + 1))
done
runs() { sed -n 's/^ *"runs": \([0-9]*\),*$/\1/p' "$1" | head -1; }
printf 'plan "200 new customers in 2027" at 80%%: %.2f s (median, range %s), %s runs, %.2fx one full run (%.2f s)\n' \
  "$(median "$tmp/plan.s")" "$(spread "$tmp/plan.s")" "$(runs "$tmp/plan.json")" "$(median "$tmp/plan.x")" \
  "$(median "$tmp/run.s")"
printf 'optimize --budget 45000: %.2f s (median, range %s), %s runs, %.2fx one full run\n' \
  "$(median "$tmp/opt.s")" "$(spread "$tmp/opt.s")" "$(runs "$tmp/opt.json")" "$(median "$tmp/opt.x")"
