#!/bin/sh
# Runs every benchmark: each bench/bench_*.sh, which measures funnelcast beside
# its peer in the same run and prints ratios.
BUILD=${BUILD:-build}
export BUILD
status=0
for s in bench/bench_*.sh; do
  [ -f "$s" ] || continue
  echo "== $s"
  sh "$s" || status=1
done
exit $status
