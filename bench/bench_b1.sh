#!/bin/sh
# Benchmark B1 (DESIGN.md): funnelcast on scenarios/b2b_saas_inbound.lua
# beside the vectorized numpy version of the same model (bench/b1_numpy.py)
# and the floor (250 PCG32 uniforms per trial, bench/bench_floor.c), all
# measured in this run on this machine. Prints trials per second of the
# simulation itself (both sides exclude summaries), the ratios, the thread
# scaling, a search candidate of the first goal (lean and objective-only,
# bench/b1_objective.lua), peak memory at 1M and 10M trials, and checks that funnelcast and
# numpy agree in distribution (bench/compare_b1.py).
#   TRIALS=1000000 BIG=10000000 REPEAT=3 sh bench/bench_b1.sh
BUILD=${BUILD:-build}
TRIALS=${TRIALS:-1000000}
BIG=${BIG:-10000000}
REPEAT=${REPEAT:-3}
PY=/usr/bin/python3
FC="$BUILD/funnelcast"
B1=scenarios/b2b_saas_inbound.lua
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cores=$(getconf _NPROCESSORS_ONLN)

rate() { sed -n 's/.*(\([0-9]*\) trials\/s).*/\1/p' "$1"; }
# peak resident memory (KiB) of a command, from the kernel's accounting
peak() { $PY -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"; }

echo "B1, $TRIALS trials, $(uname -m), $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
# A shared virtual machine's speed drifts from one run to the next: the
# engines take turns, REPEAT rounds of them, and each figure is the median of
# its rounds, with the range beside it.
have_np=""
$PY -c 'import numpy' 2>/dev/null && have_np=1 || echo "(python3-numpy missing: numpy column skipped; apt-get install python3-numpy)"
r=1
while [ $r -le "$REPEAT" ]; do
  "$FC" run "$B1" --trials "$TRIALS" --threads 1 --timing --format json -o "$tmp/fc1.json" 2> "$tmp/t1" || exit 1
  rate "$tmp/t1" >> "$tmp/fc1.rates"
  t=2
  while [ $t -le "$cores" ]; do
    "$FC" run "$B1" --trials "$TRIALS" --threads $t --timing -o "$tmp/fcn.txt" 2> "$tmp/tn" || exit 1
    rate "$tmp/tn" >> "$tmp/fc$t.rates"
    t=$((t * 2))
  done
  lua5.4 bench/b1_objective.lua "$BUILD" "$TRIALS" > "$tmp/obj.out" || exit 1
  sed -n 's/^objective_trials_per_second //p' "$tmp/obj.out" >> "$tmp/obj.rates"
  sed -n 's/^lean_trials_per_second //p' "$tmp/obj.out" >> "$tmp/lean.rates"
  if [ -n "$have_np" ]; then
    $PY bench/b1_numpy.py --trials "$TRIALS" --seed 42 --json "$tmp/np.json" > "$tmp/np.out" 2>&1 || exit 1
    sed -n 's/^trials_per_second \([0-9.]*\)$/\1/p' "$tmp/np.out" | tail -1 >> "$tmp/np.rates"
  fi
  r=$((r + 1))
done
"$BUILD/bench/bench_floor" | sed -n 's/^floor_trials_per_second //p' > "$tmp/floor.rates"
# median of a file of numbers, and its range
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
spread() { sort -n "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }'; }
# Ratios are taken within a round, between runs minutes apart, then their
# median: the neighbours' load changes less within a round than across them.
pairs() { paste -d' ' "$1" "$2" | awk '{ print $1 / $2 }' > "$3"; }
fc1=$(median "$tmp/fc1.rates")
np=""
[ -n "$have_np" ] && np=$(median "$tmp/np.rates")
floor=$(median "$tmp/floor.rates")
vs_np() { # engine rates file -> median ratio to numpy within rounds
  [ -n "$np" ] || { echo "-"; return; }
  pairs "$1" "$tmp/np.rates" "$tmp/r.ratios"
  awk -v r="$(median "$tmp/r.ratios")" 'BEGIN { printf "%.2fx", r }'
}
echo "median of $REPEAT rounds (range in brackets); ratios are medians of each round's ratio"
printf '%-30s %14s %10s\n' "engine" "trials/s" "vs numpy"
[ -n "$np" ] && printf '%-30s %14.0f %10s   [%s]\n' "numpy B1 (1 core)" "$np" "1.00x" "$(spread "$tmp/np.rates")"
printf '%-30s %14.0f %10s   [%s]\n' "funnelcast, 1 thread" "$fc1" "$(vs_np "$tmp/fc1.rates")" "$(spread "$tmp/fc1.rates")"
t=2
while [ $t -le "$cores" ]; do
  fcn=$(median "$tmp/fc$t.rates")
  pairs "$tmp/fc$t.rates" "$tmp/fc1.rates" "$tmp/s.ratios"
  printf '%-30s %14.0f %10s   [%s] (%.2fx the 1-thread rate)\n' "funnelcast, $t threads" "$fcn" \
    "$(vs_np "$tmp/fc$t.rates")" "$(spread "$tmp/fc$t.rates")" "$(median "$tmp/s.ratios")"
  t=$((t * 2))
done
# a search's candidate of B1's first goal (bench/b1_objective.lua)
printf '%-30s %14.0f %10s   [%s]\n' "lean run of the goal" "$(median "$tmp/lean.rates")" \
  "$(vs_np "$tmp/lean.rates")" "$(spread "$tmp/lean.rates")"
printf '%-30s %14.0f %10s   [%s]\n' "objective-only run of the goal" "$(median "$tmp/obj.rates")" \
  "$(vs_np "$tmp/obj.rates")" "$(spread "$tmp/obj.rates")"
printf '%-30s %14.0f %10s\n' "floor: 250 PCG32 uniforms" "$floor" \
  "$([ -n "$np" ] && awk -v a="$floor" -v b="$np" 'BEGIN { printf "%.2fx", a / b }' || echo -)"
m1=$(peak "$FC" run "$B1" --trials "$TRIALS" --format json)
m10=$(peak "$FC" run "$B1" --trials "$BIG" --format json)
awk -v a="$m1" -v b="$m10" -v n1="$TRIALS" -v n2="$BIG" 'BEGIN {
  printf "peak memory: %.1f MiB at %d trials, %.1f MiB at %d trials (%.2fx)\n", a / 1024, n1, b / 1024, n2, b / a }'
if [ -n "$have_np" ]; then
  echo "agreement with numpy (means within 4 SE, P10/P50/P90 within 2%):"
  $PY bench/compare_b1.py "$tmp/fc1.json" "$tmp/np.json" | tail -1
fi
