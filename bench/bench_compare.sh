#!/bin/sh
# Benchmark of a paired comparison (issue 10): B1 (scenarios/b2b_saas_inbound.lua)
# against a copy with 10% more search budget, run paired, beside B1 alone, in
# the same rounds on this machine. Prints the time of the comparison as a
# multiple of the time of one run (the target: at most 2.2x for two
# scenarios), its peak memory against one run's, and the variance of the
# paired difference of new customers against two independent runs'. On a
# shared virtual machine wall time drifts between runs; with valgrind there,
# the engine's instructions (callgrind, inside fc_engine_run_set) give the
# same ratio without the noise, though not the cost of cache misses, which
# two scenarios' histograms (twice the memory) have more of.
#   TRIALS=200000 REPEAT=5 THREADS=1 sh bench/bench_compare.sh
BUILD=${BUILD:-build}
TRIALS=${TRIALS:-200000}
REPEAT=${REPEAT:-5}
THREADS=${THREADS:-1}
PY=/usr/bin/python3
FC="$(pwd)/$BUILD/funnelcast"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# include reads files beside the scenario given: B1 and the comparison side by side
cp scenarios/b2b_saas_inbound.lua "$tmp/b1.lua"
cat > "$tmp/pair.lua" <<'LUA'
local b1 = include "b1.lua"
local search = b1.spec.channels.search.spend
return { b1, b1:with{ name = "10% more search", channels = { search = { spend = search * 1.1 } } } }
LUA
secs() { sed -n 's/.* simulated in \([0-9.]*\) s .*/\1/p' "$1"; }
peak() { $PY -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"; }
echo "paired comparison, $TRIALS trials, $THREADS thread(s), $REPEAT rounds"
r=1
while [ $r -le "$REPEAT" ]; do
  # the two take turns within a round; the ratio is taken within the round
  "$FC" run "$tmp/b1.lua" --trials "$TRIALS" --threads "$THREADS" --timing -o /dev/null 2> "$tmp/one" || exit 1
  "$FC" run "$tmp/pair.lua" --trials "$TRIALS" --threads "$THREADS" --timing --format json \
    -o "$tmp/pair.json" 2> "$tmp/two" || exit 1
  awk -v a="$(secs "$tmp/two")" -v b="$(secs "$tmp/one")" 'BEGIN { print a / b }' >> "$tmp/ratios"
  secs "$tmp/one" >> "$tmp/one.s"
  r=$((r + 1))
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
spread() { sort -n "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }
printf 'comparison of 2 / one run: %.2fx (median of rounds, range %s; one run %.2f s)\n' \
  "$(median "$tmp/ratios")" "$(spread "$tmp/ratios")" "$(median "$tmp/one.s")"
if command -v valgrind > /dev/null; then
  ir() { valgrind --tool=callgrind --toggle-collect=fc_engine_run_set --callgrind-out-file=/dev/null \
    "$FC" run "$1" --trials 10000 --threads 1 -o /dev/null 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
  awk -v a="$(ir "$tmp/pair.lua")" -v b="$(ir "$tmp/b1.lua")" \
    'BEGIN { printf "engine instructions, comparison of 2 / one run: %.2fx (callgrind, 10000 trials)\n", a / b }'
fi
m1=$(peak "$FC" run "$tmp/b1.lua" --trials "$TRIALS" --format json)
m2=$(peak "$FC" run "$tmp/pair.lua" --trials "$TRIALS" --format json)
awk -v a="$m1" -v b="$m2" 'BEGIN { printf "peak memory: one run %.1f MiB, comparison %.1f MiB (%.2fx)\n", a / 1024, b / 1024, b / a }'
$PY - "$tmp/pair.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a, b = (s["metrics"]["new_customers"] for s in d["scenarios"])
diff = d["differences"][0]["metrics"]["new_customers"]
print("new_customers: difference %+.1f, sd %.1f paired vs %.1f for two independent runs "
      "(variance ratio %.3f); better in %.0f%% of futures"
      % (diff["mean"], diff["sd"], (a["sd"] ** 2 + b["sd"] ** 2) ** 0.5,
         diff["sd"] ** 2 / (a["sd"] ** 2 + b["sd"] ** 2), 100 * diff["better"]))
PY
