#!/bin/sh
# Benchmark B1 (DESIGN.md): funnelcast on scenarios/b2b_saas_inbound.lua
# beside the vectorized numpy version of the same model (bench/b1_numpy.py),
# measured in the same run on the same machine. Prints trials per second of
# the simulation itself (both sides exclude summaries) and the ratios, then
# checks that both agree in distribution (bench/compare_b1.py).
#   TRIALS=1000000 sh bench/bench_b1.sh
BUILD=${BUILD:-build}
TRIALS=${TRIALS:-1000000}
PY=/usr/bin/python3
FC="$BUILD/funnelcast"
B1=scenarios/b2b_saas_inbound.lua
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cores=$(getconf _NPROCESSORS_ONLN)

rate() { sed -n 's/.*(\([0-9]*\) trials\/s).*/\1/p' "$1"; }

echo "B1, $TRIALS trials, $(uname -m), $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$FC" run "$B1" --trials "$TRIALS" --threads 1 --timing --format json -o "$tmp/fc1.json" 2> "$tmp/t1" || exit 1
fc1=$(rate "$tmp/t1")
"$FC" run "$B1" --trials "$TRIALS" --threads "$cores" --timing -o "$tmp/fcn.txt" 2> "$tmp/tn" || exit 1
fcn=$(rate "$tmp/tn")
if $PY -c 'import numpy' 2>/dev/null; then
  $PY bench/b1_numpy.py --trials "$TRIALS" --seed 42 --json "$tmp/np.json" > "$tmp/np.out" || exit 1
  np=$(sed -n 's/.*trials_per_second \([0-9.]*\).*/\1/p' "$tmp/np.out" | tail -1)
  [ -n "$np" ] || np=$(grep -o '[0-9.]* trials/s' "$tmp/np.out" | head -1 | cut -d' ' -f1)
else
  np=""
  echo "(python3-numpy missing: numpy column skipped; apt-get install python3-numpy)"
fi
printf '%-28s %14s %10s\n' "engine" "trials/s" "vs numpy"
ratio() { [ -n "$np" ] && awk -v a="$1" -v b="$np" 'BEGIN { printf "%.2fx", a / b }' || echo "-"; }
[ -n "$np" ] && printf '%-28s %14.0f %10s\n' "numpy (1 core)" "$np" "1.00x"
printf '%-28s %14s %10s\n' "funnelcast, 1 thread" "$fc1" "$(ratio "$fc1")"
printf '%-28s %14s %10s\n' "funnelcast, $cores threads" "$fcn" "$(ratio "$fcn")"
awk -v a="$fcn" -v b="$fc1" -v n="$cores" 'BEGIN { printf "thread scaling: %.2fx on %d threads\n", a / b, n }'
if [ -n "$np" ]; then
  echo "agreement with numpy (means within 4 SE, P10/P50/P90 within 2%):"
  $PY bench/compare_b1.py "$tmp/fc1.json" "$tmp/np.json" | tail -3
fi
